/**
 * A sync worker in its own process, so a test or the benchmark can kill it with SIGKILL in the middle of a
 * full sync, as a crashed or redeployed API instance would die. Configuration comes from the environment;
 * prints the task id on stdout once the task exists, then syncs until done.
 */
import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { ConnectionCredentials } from "../api/auth/credentials.ts";
import { LocalKeyWrapper, SecretBox } from "../api/auth/secrets.ts";
import { EventBus } from "../api/events.ts";
import { ChangeFeed } from "../api/feed/change-feed.ts";
import { openStore } from "../api/store/store.ts";
import { SyncService } from "../api/sync/service.ts";

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
// The product's own app only serves delegated connections; these connections use the tenant's own app.
const credentials = new ConnectionCredentials(
  { authorityHost: env("SIM_URL"), graphBaseUrl: env("SIM_URL"), productClientId: randomUUID() },
  secrets,
);
// Directory events are on unless DIRECTORY_EVENTS=off (the benchmark measures both).
const feed =
  process.env.DIRECTORY_EVENTS === "off"
    ? undefined
    : new ChangeFeed(store, {
        retentionDays: 30,
        reservationMs: Number(process.env.FEED_RESERVATION_MS ?? 120_000),
      });
const sync = new SyncService({
  store,
  ...(feed ? { feed } : {}),
  events: new EventBus(store),
  logger: pino({ level: "error" }, pino.destination(2)),
  graphFor: async (c) => credentials.graphFor(c),
  instanceId: "killed-worker",
  leaseMs: Number(env("LEASE_MS")),
});
const result = await sync.startTask(env("TENANT_ID"), env("CONNECTION_ID"), {
  type: "full",
  trigger: "api",
  requestedBy: { oid: randomUUID(), name: "Crash drill" },
});
if (!("task" in result)) throw new Error(`a task is already running: ${result.alreadyRunning.id}`);
process.stdout.write(`${result.task.id}\n`);
await sync.idle();
process.exit(0);
