import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUIRED_IN_PRODUCTION } from "../../api/config/config.ts";
import { productionImports } from "../../dev/server-imports.ts";
import { DEMO_ADMIN_USER_ID, DEMO_TENANT_ID, PRODUCT_APP, type RunningSimulator } from "../../sim/index.ts";
import { ADMIN_ROLE } from "../support/api-client.ts";
import { startTestSimulator } from "../support/sim.ts";
import { startTestStore } from "../support/stack.ts";

const root = resolve(import.meta.dirname, "../..");
const dist = join(root, "dist");
const entry = join(dist, "server", "api", "server.js");
const DEV_ONLY = ["@vercel/cosmosdb-server", "selfsigned", "tsx", "vite", "typescript", "playwright-core"];

/**
 * What App Service runs: `npm run build`, then `node server/api/server.js` in the bundle, configured only
 * by app settings. Here the settings point at a local Cosmos server and the simulated tenant exactly as
 * they would point at Azure and Microsoft; the server must not start either of them itself.
 */
describe("the production server", () => {
  let store: Awaited<ReturnType<typeof startTestStore>>;
  let sim: RunningSimulator;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ["--import", "tsx", "dev/build.ts"], { cwd: root, stdio: "pipe" });
    store = await startTestStore();
    sim = await startTestSimulator();
    env = {
      PATH: process.env.PATH ?? "",
      // How a host trusts a private CA; here the local certificate the stand-ins use.
      NODE_EXTRA_CA_CERTS: resolve(root, process.env.NODE_EXTRA_CA_CERTS ?? ".local/tls/localhost.crt"),
      PORT: "0",
      PUBLIC_URL: "https://app-dirsync-prod.azurewebsites.net",
      COSMOS_ENDPOINT: store.endpoint,
      COSMOS_KEY: store.key,
      COSMOS_DATABASE: store.database,
      GRAPH_BASE_URL: sim.url,
      AUTHORITY_HOST: sim.url,
      AUTH_CLIENT_ID: PRODUCT_APP.clientId,
      AUTH_CLIENT_SECRET: PRODUCT_APP.clientSecret,
      AUTH_AUDIENCES: PRODUCT_APP.appIdUri,
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SESSION_SECRET: randomBytes(32).toString("base64url"),
      BOT_APP_ID: "5b0c3e8a-2f41-4d6b-9c7e-0a1b2c3d4e5f",
      BOT_APP_PASSWORD: "bot-secret-from-key-vault",
      BOT_APP_TENANT_ID: DEMO_TENANT_ID,
      BOT_APP_TYPE: "SingleTenant",
      TEAMS_APP_ID: "3b1f0c53-8a3e-4c1b-9a55-2f1d9a7d4e10",
      LOG_LEVEL: "info",
    };
  }, 240_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await new Promise((done) => child.once("exit", done));
      }
    }
    await sim?.close();
    await store?.close();
  });

  const start = (settings: Record<string, string>) => {
    const child = spawn(process.execPath, [entry], { cwd: dist, env: settings, stdio: "pipe" });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    return { child, output: () => ({ stdout, stderr }) };
  };

  it("serves the tab and /readyz from the bundle, with neither a simulator nor a local database of its own", async () => {
    const { child, output } = start(env);
    const url = await new Promise<string>((done, fail) => {
      child.stdout?.on("data", () => {
        for (const line of output().stdout.split("\n")) {
          if (!line.includes("directory sync API listening")) continue;
          done((JSON.parse(line) as { url: string }).url);
        }
      });
      child.once("exit", (code) => fail(new Error(`exited ${code}: ${output().stderr}`)));
    });

    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: "ready",
      dependencies: [
        { name: "cosmos", status: "ok" },
        { name: "identity", status: "ok" },
      ],
    });
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    const script = /<script type="module"[^>]*src="\.\/([^"]+)"/.exec(html)?.[1];
    expect(script, "the built tab's entry script").toMatch(/^assets\/.+\.js$/);
    const asset = await fetch(`${url}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);

    // The product answers as it would in Azure: a token the "identity platform" issued is accepted.
    const token = await sim.directory.issueUserToken({
      tenantId: DEMO_TENANT_ID,
      userId: DEMO_ADMIN_USER_ID,
      roles: [ADMIN_ROLE],
    });
    const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ tenantId: DEMO_TENANT_ID });

    // One listening socket (its own port), no child processes: nothing was started beside the API.
    const pid = child.pid as number;
    expect(listeningPorts(pid)).toEqual([Number(new URL(url).port)]);
    expect(childrenOf(pid)).toEqual([]);
    expect(output().stdout).not.toMatch(/Simulated tenant|demo account|Restored \d+ documents/);

    // The compiled server can load nothing but api/ and bot/ and production dependencies.
    const pkg = JSON.parse(readFileSync(join(dist, "package.json"), "utf8"));
    expect(pkg.scripts.start).toBe("node server/api/server.js");
    for (const name of DEV_ONLY) expect(Object.keys(pkg.dependencies)).not.toContain(name);
    const rootPkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    for (const name of productionImports(entry)) expect(Object.keys(rootPkg.dependencies)).toContain(name);
    const compiled = listFiles(join(dist, "server")).map((f) => relative(join(dist, "server"), f));
    expect(compiled.filter((f) => !/^(api|bot)\//.test(f))).toEqual([]);
  }, 60_000);

  // Alternatives (ENCRYPTION_KEY_ID|ENCRYPTION_KEY) are removed together.
  it.each(REQUIRED_IN_PRODUCTION)("refuses to start without %s, naming it", async (alternatives) => {
    const settings = { ...env };
    for (const n of alternatives.split("|")) delete settings[n];
    const { child, output } = start(settings);
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output().stderr).toContain(`${alternatives.replaceAll("|", " or ")}: is required in production`);
    expect(output().stderr).toContain("The server did not start.");
    expect(output().stdout).toBe("");
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** TCP ports a process listens on, from its socket descriptors and the kernel's socket tables. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined;
        }
      })
      .filter((inode): inode is string => inode !== undefined),
  );
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [, local, , state] = columns;
      if (state !== "0A" || !local || !inodes.has(columns[9] ?? "")) continue;
      ports.push(Number.parseInt(local.split(":")[1] ?? "", 16));
    }
  }
  return ports.sort();
}

function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
  );
}
