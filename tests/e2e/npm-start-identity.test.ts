import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `npm start` with some identity settings of a real tenant, as the local Teams lifecycle writes them to
 * .local/teams.env or a developer exports them: it must not fill the rest with the simulator's values
 * (which would make it trust simulator-issued tokens for a real app), but stop and name what is missing.
 */
describe("npm start with a half-configured real tenant", () => {
  const start = (teamsEnv: string, extra: Record<string, string> = {}) => {
    const localDir = mkdtempSync(join(tmpdir(), "npm-start-identity-"));
    writeFileSync(join(localDir, "teams.env"), teamsEnv);
    // The local certificate the test run already made, so the start does not generate another.
    cpSync(join(".local", "tls"), join(localDir, "tls"), { recursive: true });
    const child = spawn(process.execPath, ["--import", "tsx", "dev/start.ts"], {
      env: { PATH: process.env.PATH ?? "", PORT: "0", SIM_PORT: "0", LOCAL_DIR: localDir, ...extra },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const timer = setInterval(() => {
        // Started anyway (with the simulator's values filled in): that is the failure this test is about.
        if (stdout.includes("is running")) child.kill("SIGTERM");
      }, 100);
      child.once("exit", (code) => {
        clearInterval(timer);
        resolve({ code, stdout, stderr });
      });
    });
  };

  it("refuses, naming the missing settings, when teams.env gives only the app's client id", async () => {
    const result = await start("AUTH_CLIENT_ID=6a3b8f2e-1d4c-4e7a-9b05-c8e2d1f4a763\nPORT=3978\n");
    expect(result.stdout).not.toContain("is running");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("AUTH_CLIENT_ID is set, so the simulated tenant is not used");
    expect(result.stderr).toContain("AUTH_CLIENT_SECRET, AUTH_AUDIENCES are missing");
  });

  it("refuses when the environment points the authority at a real tenant and nothing else", async () => {
    const result = await start("", { AUTHORITY_HOST: "https://login.microsoftonline.com" });
    expect(result.stdout).not.toContain("is running");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("AUTH_CLIENT_ID, AUTH_CLIENT_SECRET, AUTH_AUDIENCES are missing");
  });
});
