/**
 * `npm start`: the whole product on one machine with no configuration. A local Cosmos-protocol server and
 * the simulated Entra tenant stand in for Azure; the API, the bot endpoint and the tab run exactly as in
 * production, pointed at them through configuration. Set COSMOS_ENDPOINT (and COSMOS_KEY) to use a real
 * Cosmos account instead of the local server.
 *
 * Identity is all or nothing: with none of IDENTITY_SETTINGS set, the simulated tenant provides every one of
 * them; with any of them set (by hand, or in .local/teams.env, which the local Teams lifecycle writes), no
 * simulator starts and nothing is filled in, so a half-configured real tenant fails validation by name
 * instead of quietly trusting the simulator's tokens. This launcher is never what Azure runs: production
 * is `npm run build` and `node dist/server/api/server.js`.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { CosmosClient } from "@azure/cosmos";
import { startApi } from "../api/app/start.ts";
import { loadOrCreateLocalKey } from "../api/auth/secrets.ts";
import { ConfigError, loadConfig } from "../api/config/config.ts";
import { ensureDatabase } from "../api/store/cosmos.ts";
import { DEMO_TENANT_ID, PRODUCT_APP, startSimulator } from "../sim/index.ts";
import { ensureLocalCertificate } from "../sim/tls.ts";
import { loadSnapshot, saveSnapshot } from "./cosmos-snapshot.ts";
import { startLocalCosmos } from "./local-cosmos.ts";
import type { LocalDocuments } from "./local-cosmos-store.ts";

const LOCAL = resolve(process.env.LOCAL_DIR ?? ".local");
const SIM_PORT = Number(process.env.SIM_PORT ?? 3979);
/** Where the product signs people in and reads the directory: the simulated tenant's, or all real. */
const IDENTITY_SETTINGS = [
  "AUTHORITY_HOST",
  "GRAPH_BASE_URL",
  "AUTH_CLIENT_ID",
  "AUTH_CLIENT_SECRET",
  "AUTH_AUDIENCES",
] as const;
/** Without these the product's app cannot sign anyone in; the endpoints default to Microsoft's. */
const APP_SETTINGS = ["AUTH_CLIENT_ID", "AUTH_CLIENT_SECRET", "AUTH_AUDIENCES"] as const;

// Keys, the TLS key, the session secret and a snapshot of every profile live here: owner-only, and tightened
// when an older start left it open (mkdir's mode applies only to a folder it creates).
mkdirSync(LOCAL, { recursive: true, mode: 0o700 });
chmodSync(LOCAL, 0o700);
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
  // Settings the local Teams lifecycle (teamsapp.local.yml) wrote; the process environment wins.
  const teamsEnvFile = join(LOCAL, "teams.env");
  const teamsEnv = existsSync(teamsEnvFile) ? parseEnv(readFileSync(teamsEnvFile, "utf8")) : {};
  const env: NodeJS.ProcessEnv = { ...teamsEnv, ...process.env };
  const closers: (() => Promise<void> | void)[] = [];

  const realIdentity = IDENTITY_SETTINGS.filter((name) => env[name]?.trim());
  // A real tenant needs the product's app in full; Microsoft's endpoints are the defaults.
  const missing = APP_SETTINGS.filter((name) => realIdentity.length > 0 && !env[name]?.trim());
  if (missing.length > 0) {
    console.error(
      `${realIdentity.join(", ")} ${realIdentity.length === 1 ? "is" : "are"} set, so the simulated tenant is not used, but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing.\nSet ${missing.length === 1 ? "it" : "them"} for your tenant's app too, or unset them all to use the simulated tenant.`,
    );
    process.exit(2);
  }

  let snapshot: { documents: LocalDocuments; database: string; file: string; savedAt: number } | undefined;
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
    client.dispose();
    snapshot = {
      documents: cosmos.documents,
      database,
      file: join(LOCAL, "cosmos-snapshot.jsonl"),
      savedAt: -1,
    };
    const restored = await loadSnapshot(cosmos.documents, database, snapshot.file);
    snapshot.savedAt = cosmos.documents.writes();
    if (restored > 0) console.log(`Restored ${restored} documents from ${snapshot.file}`);
    closers.push(() => cosmos.close());
  }

  let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
  if (realIdentity.length === 0) {
    sim = await startSimulator({
      tls,
      port: SIM_PORT,
      latencyMs: Number(env.SIM_LATENCY_MS ?? 0),
      throttling: true,
    });
    writeFileSync(join(LOCAL, "sim-url"), sim.url);
    const { close } = sim;
    closers.push(() => close());
    Object.assign(env, {
      GRAPH_BASE_URL: sim.url,
      AUTHORITY_HOST: sim.url,
      AUTH_CLIENT_ID: PRODUCT_APP.clientId,
      AUTH_CLIENT_SECRET: PRODUCT_APP.clientSecret,
      AUTH_AUDIENCES: PRODUCT_APP.appIdUri,
    });
  }
  // Local secrets, generated once under .local/ so sessions and stored connection secrets survive a restart.
  env.SESSION_SECRET ??= localSecret("session-secret");
  if (!env.ENCRYPTION_KEY && !env.ENCRYPTION_KEY_ID)
    env.ENCRYPTION_KEY = loadOrCreateLocalKey(join(LOCAL, "keys")).toString("base64");
  // The Agents Playground talks to the bot unsigned; only this local stack allows that.
  if (!env.BOT_APP_ID) env.BOT_ALLOW_UNSIGNED ??= "true";
  // Local receivers (a consumer on this machine) are the point of a local stack; production refuses them.
  env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES ??= "true";

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(
      `${err.message}\n${realIdentity.join(", ")} ${realIdentity.length === 1 ? "is" : "are"} set, so the simulated tenant is not used: set the others for your tenant too, or unset them all.`,
    );
    for (const close of closers) await close();
    process.exit(2);
  }
  // The local Teams lifecycle gives the tab an https address when no tunnel runs: serve https there.
  const https = config.publicUrl.startsWith("https://localhost");
  const api = await startApi(config, https ? { tls } : {});
  closers.unshift(() => api.close());

  // Saving writes every document: skipped while nothing was written since the last save (or the restore).
  // Saves run one after another, so a slow one never shares its temporary file with the next.
  let saving = Promise.resolve();
  const saveOnce = async () => {
    if (!snapshot) return;
    const writes = snapshot.documents.writes();
    if (writes === snapshot.savedAt) return;
    await saveSnapshot(snapshot.documents, snapshot.database, snapshot.file);
    snapshot.savedAt = writes;
  };
  const save = () => {
    saving = saving.catch(() => undefined).then(saveOnce);
    return saving;
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
  Bot endpoint:         ${api.url}/api/messages${env.BOT_APP_ID ? "" : "  (unsigned: this machine only, listening on 127.0.0.1)"}
  Health:               ${api.url}/readyz
  ${sim ? `Simulated tenant:     ${sim.url}  (tenant ${DEMO_TENANT_ID}; change it with "npm run sim -- help")` : `Entra ID:             ${env.AUTHORITY_HOST ?? "https://login.microsoftonline.com"} (app ${env.AUTH_CLIENT_ID})`}
  Local data:           ${snapshot ? snapshot.file : env.COSMOS_ENDPOINT}
${sim ? "Sign in with any demo account, for example admin@M365x214355.onmicrosoft.com (Global Administrator)." : "Sign in with an account of your tenant."}
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
