/**
 * A sync worker in its own process, so a test can kill it with SIGKILL at any point, as a crashed or
 * redeployed API instance would die. Configuration comes from the environment.
 */
import { pino } from "pino";
import { ConnectionCredentials } from "../../api/auth/credentials.ts";
import { LocalKeyWrapper, SecretBox } from "../../api/auth/secrets.ts";
import { EventBus } from "../../api/events.ts";
import { openStore } from "../../api/store/store.ts";
import { SyncService } from "../../api/sync/service.ts";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const store = await openStore({
  endpoint: env("COSMOS_ENDPOINT"),
  key: env("COSMOS_KEY"),
  database: env("COSMOS_DATABASE"),
});
const secrets = new SecretBox(new LocalKeyWrapper(Buffer.from(env("MASTER_KEY"), "base64")));
const credentials = new ConnectionCredentials(
  { authorityHost: env("SIM_URL"), graphBaseUrl: env("SIM_URL"), productClientId: env("PRODUCT_CLIENT_ID") },
  secrets,
);
const sync = new SyncService({
  store,
  events: new EventBus(store),
  logger: pino({ level: "silent" }),
  graphFor: async (c) => credentials.graphFor(c),
  instanceId: "worker-process",
  leaseMs: Number(env("LEASE_MS")),
});
const result = await sync.startTask(env("TENANT_ID"), env("CONNECTION_ID"), {
  type: "full",
  trigger: "api",
  requestedBy: { oid: "test", name: "Test" },
});
if (!("task" in result)) throw new Error("a task is already running");
process.stdout.write(`${result.task.id}\n`);
await sync.idle();
process.exit(0);
