import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";

/**
 * What `npm start` runs (dev/start.ts), started as a separate process with no configuration but free
 * ports and its own data folder: it must become ready and serve a simulated tenant that answers as Graph.
 */
describe("npm start", () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child?.once("exit", resolve));
    }
  });

  it("serves /readyz green and a simulated Graph that pages like Graph", async () => {
    // A data folder npm start creates itself, as in a fresh clone.
    const localDir = join(mkdtempSync(join(tmpdir(), "npm-start-")), ".local");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: "0",
      SIM_PORT: "0",
      LOCAL_DIR: localDir,
      LOG_LEVEL: "silent",
    };
    delete env.NODE_EXTRA_CA_CERTS;
    child = spawn(process.execPath, ["--import", "tsx", "dev/start.ts"], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    const apiUrl = await new Promise<string>((resolve, reject) => {
      child?.stdout?.on("data", (d) => {
        output += String(d);
        const match = /Admin tab \(browser\):\s+(\S+)\//.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child?.once("exit", (code) => reject(new Error(`npm start exited (${code}): ${output}`)));
    });

    // Keys, secrets and the snapshot live there: the folder is the owner's only.
    expect(statSync(localDir).mode & 0o777).toBe(0o700);

    // No bot registration locally: the start says the bot endpoint takes unsigned activities from this machine only.
    expect(output).toContain("(unsigned: this machine only, listening on 127.0.0.1)");

    const ready = await fetch(`${apiUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: "ready",
      dependencies: [
        { name: "cosmos", status: "ok" },
        { name: "identity", status: "ok" },
      ],
    });

    // The started stack generated its own certificate: trust exactly that one, as its processes do.
    const simUrl = readFileSync(join(localDir, "sim-url"), "utf8").trim();
    const ca = readFileSync(join(localDir, "tls", "localhost.crt"), "utf8");
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: DEMO_CUSTOMER_APP.clientId,
      client_secret: DEMO_CUSTOMER_APP.clientSecret,
      scope: "https://graph.microsoft.com/.default",
    });
    const { access_token } = (await httpsJson(`${simUrl}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, ca, {
      method: "POST",
      body: form.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    })) as { access_token: string };
    const body = (await httpsJson(`${simUrl}/v1.0/users?$top=5`, ca, {
      headers: { authorization: `Bearer ${access_token}` },
    })) as { value: unknown[]; "@odata.nextLink"?: string; "@odata.context"?: string };
    expect(body.value).toHaveLength(5);
    expect(body["@odata.nextLink"]).toMatch(/^https:\/\/localhost:\d+\/v1\.0\/users\?.*\$skiptoken=/);
    expect(body["@odata.context"]).toBe(`${simUrl}/v1.0/$metadata#users`);
  });
});

function httpsJson(
  url: string,
  ca: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "GET", headers: options.headers, ca }, (res) => {
      let text = "";
      res.on("data", (d) => {
        text += String(d);
      });
      res.on("end", () => resolve(JSON.parse(text)));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}
