/**
 * `npm start`: the whole product on one machine with no configuration. A local Cosmos-protocol server and
 * the simulated Entra tenant stand in for Azure; the API, the bot endpoint and the tab run exactly as in
 * production, pointed at them through configuration. Set COSMOS_ENDPOINT (and COSMOS_KEY) to use a real
 * Cosmos account instead of the local server.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { startApi } from "../api/app/start.ts";
import { loadConfig } from "../api/config/config.ts";
import { ensureDatabase } from "../api/store/cosmos.ts";
import { DEMO_TENANT_ID, PRODUCT_APP, startSimulator } from "../sim/index.ts";
import { loadSnapshot, saveSnapshot } from "./cosmos-snapshot.ts";
import { startLocalCosmos } from "./local-cosmos.ts";
import { ensureLocalCertificate } from "./tls.ts";

const LOCAL = resolve(process.env.LOCAL_DIR ?? ".local");
const SIM_PORT = Number(process.env.SIM_PORT ?? 3979);

const tls = await ensureLocalCertificate(join(LOCAL, "tls"));
if (process.env.NODE_EXTRA_CA_CERTS !== tls.certPath) {
  // Node reads extra CA certificates only at start-up: run again with the local certificate trusted.
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.certPath },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code) => process.exit(code ?? 0));
} else {
  await main();
}

async function main(): Promise<void> {
  mkdirSync(LOCAL, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  const closers: (() => Promise<void> | void)[] = [];

  let snapshot: { client: CosmosClient; database: string; file: string } | undefined;
  if (!env.COSMOS_ENDPOINT) {
    const cosmos = await startLocalCosmos(tls, Number(env.COSMOS_PORT ?? 0));
    env.COSMOS_ENDPOINT = cosmos.endpoint;
    env.COSMOS_KEY = cosmos.key;
    const database = env.COSMOS_DATABASE ?? "directory-sync";
    const client = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: cosmos.key,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    await ensureDatabase(client, database);
    snapshot = { client, database, file: join(LOCAL, "cosmos-snapshot.json") };
    const restored = await loadSnapshot(client, database, snapshot.file);
    if (restored > 0) console.log(`Restored ${restored} documents from ${snapshot.file}`);
    closers.push(() => cosmos.close());
  }

  const sim = await startSimulator({
    tls,
    port: SIM_PORT,
    latencyMs: Number(env.SIM_LATENCY_MS ?? 0),
    throttling: true,
  });
  writeFileSync(join(LOCAL, "sim-url"), sim.url);
  closers.push(() => sim.close());
  env.GRAPH_BASE_URL ??= sim.url;
  env.AUTHORITY_HOST ??= sim.url;
  env.AUTH_CLIENT_ID ??= PRODUCT_APP.clientId;
  env.AUTH_CLIENT_SECRET ??= PRODUCT_APP.clientSecret;
  env.AUTH_AUDIENCES ??= PRODUCT_APP.appIdUri;
  env.SESSION_SECRET ??= localSecret("session-secret");
  // The Agents Playground talks to the bot unsigned; only this local stack allows that.
  if (!env.BOT_APP_ID) env.BOT_ALLOW_UNSIGNED ??= "true";
  // Local receivers (a consumer on this machine) are the point of a local stack; production refuses them.
  env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES ??= "true";

  const api = await startApi(loadConfig(env), { localKeyDir: join(LOCAL, "keys") });
  closers.unshift(() => api.close());

  const save = async () => {
    if (snapshot) await saveSnapshot(snapshot.client, snapshot.database, snapshot.file);
  };
  const timer = setInterval(
    () => save().catch((err) => console.error("Saving local data failed:", err.message)),
    30_000,
  );
  timer.unref();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    await save().catch(() => undefined);
    for (const close of closers) await close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  console.log(`
Entra Directory Sync is running.
  Admin tab (browser):  ${api.url}/
  Bot endpoint:         ${api.url}/api/messages
  Health:               ${api.url}/readyz
  Simulated tenant:     ${sim.url}  (tenant ${DEMO_TENANT_ID}; change it with "npm run sim -- help")
  Local data:           ${snapshot ? snapshot.file : env.COSMOS_ENDPOINT}
Sign in with any demo account, for example admin@M365x214355.onmicrosoft.com (Global Administrator).
Press Ctrl+C to stop.`);
}

/** A random secret generated once and kept under .local/, so sessions survive a restart. */
function localSecret(name: string): string {
  const file = join(LOCAL, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const value = randomBytes(32).toString("base64url");
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}
