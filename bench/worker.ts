import { randomBytes, randomUUID } from "node:crypto";
import { pino } from "pino";
import { ConnectionCredentials, secretContext } from "../api/auth/credentials.ts";
import { LocalKeyWrapper, SecretBox } from "../api/auth/secrets.ts";
import { type SyncSettingsInput, syncSettingsSchema } from "../api/domain/sync-settings.ts";
import type { TaskType } from "../api/domain/tasks.ts";
import { EventBus } from "../api/events.ts";
import { ChangeFeed } from "../api/feed/change-feed.ts";
import type { GraphApi } from "../api/graph/client.ts";
import type { ConnectionDoc, TaskDoc } from "../api/store/documents.ts";
import { openStore, type Store } from "../api/store/store.ts";
import { SyncService } from "../api/sync/service.ts";
import { type AzureRu, estimateAzureRu } from "./azure-ru.ts";
import { BusyClock, timeFetch, timeStore } from "./busy-time.ts";
import type { StandinsInfo } from "./standins.ts";
import { countWrites, type WriteCounts } from "./write-counter.ts";

const ADMIN = { oid: randomUUID(), name: "Benchmark" };

/**
 * Users and lists, all users, mirror on. The deletion guard keeps its percentage limit but not its count
 * limit: a 1% change of a 100k tenant removes more than 50 profiles, and a halted run would measure
 * nothing.
 */
const BENCH_SETTINGS: SyncSettingsInput = {
  what: "users-and-lists",
  users: { scope: "all" },
  lists: { scope: "all" },
  mirror: true,
  deletionGuard: { enabled: true, maxCount: 0, maxPercent: 10 },
};

/** The sync engine wired as in production (SyncService, ConnectionCredentials, SecretBox) to the stand-ins. */
export interface BenchWorker {
  store: Store;
  /** The change feed the runs write, unless events are off. */
  feed?: ChangeFeed;
  /** A second client on the same database, so progress polling does not count as the sync's operations. */
  observer: Store;
  connection: ConnectionDoc;
  writes: () => WriteCounts;
  /** What the worker's store calls so far would have cost on Azure Cosmos DB (estimated). */
  azureRu: () => AzureRu;
  /** Time spent waiting for Graph (token requests aside) and for Cosmos. */
  graphBusy: BusyClock;
  cosmosBusy: BusyClock;
  /** The Graph client of the latest task (its stats are that task's). */
  graph(): GraphApi | undefined;
  run(type: TaskType): Promise<TaskDoc>;
  /** Takes over tasks whose worker stopped and whose lease expired; returns how many. */
  resumeOrphans(): Promise<number>;
  /** Asks a running task to stop at its next checkpoint. */
  cancel(taskId: string): Promise<void>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** The key sealing the connection's secret, for a worker in another process to share. */
  masterKey?: Buffer;
  instanceId?: string;
  leaseMs?: number;
  /** Write directory events (the change feed), as the product does; off only to measure their cost. */
  events?: boolean;
}

export async function startWorker(
  info: StandinsInfo,
  database: string,
  options: WorkerOptions = {},
): Promise<BenchWorker> {
  const cosmos = { endpoint: info.cosmosEndpoint, key: info.cosmosKey, database };
  const store = await openStore(cosmos);
  const observer = await openStore(cosmos);
  const writes = countWrites(store);
  const azureRu = estimateAzureRu(store);
  const graphBusy = new BusyClock();
  const cosmosBusy = new BusyClock();
  timeStore(store, cosmosBusy);
  const untimeFetch = timeFetch(info.simUrl, graphBusy);
  const secrets = new SecretBox(new LocalKeyWrapper(options.masterKey ?? randomBytes(32)));
  const credentials = new ConnectionCredentials(
    { authorityHost: info.simUrl, graphBaseUrl: info.simUrl, productClientId: randomUUID() },
    secrets,
  );
  let latest: GraphApi | undefined;
  const feed = options.events === false ? undefined : new ChangeFeed(store, { retentionDays: 30 });
  const sync = new SyncService({
    store,
    ...(feed ? { feed } : {}),
    events: new EventBus(store),
    // Unexpected errors are the benchmark's to report; everything else would drown the progress lines.
    logger: pino({ level: "error" }, pino.destination(2)),
    graphFor: async (c) => {
      latest = credentials.graphFor(c);
      return latest;
    },
    instanceId: options.instanceId,
    leaseMs: options.leaseMs,
  });
  const connection = await createConnection(store, secrets, info);
  return {
    store,
    ...(feed ? { feed } : {}),
    observer,
    connection,
    writes,
    azureRu,
    graphBusy,
    cosmosBusy,
    graph: () => latest,
    async run(type) {
      const result = await sync.startTask(info.tenantId, connection.id, {
        type,
        trigger: "api",
        requestedBy: ADMIN,
      });
      if (!("task" in result)) throw new Error(`a task is already running: ${result.alreadyRunning.id}`);
      return result.task;
    },
    async cancel(taskId) {
      await sync.cancelTask(info.tenantId, taskId, ADMIN).catch(() => undefined);
    },
    resumeOrphans: () => sync.resumeOrphans(),
    idle: () => sync.idle(),
    async close() {
      await sync.idle();
      untimeFetch();
      store.close();
      observer.close();
    },
  };
}

async function createConnection(
  store: Store,
  secrets: SecretBox,
  info: StandinsInfo,
): Promise<ConnectionDoc> {
  const id = randomUUID();
  const now = new Date().toISOString();
  return store.connections.create({
    id,
    tenantId: info.tenantId,
    type: "connection",
    name: "Benchmark tenant",
    kind: "graph-app",
    status: "active",
    clientId: info.clientId,
    secret: await secrets.seal(info.clientSecret, secretContext(info.tenantId, id)),
    settings: syncSettingsSchema.parse(BENCH_SETTINGS),
    schedule: { enabled: false, intervalMinutes: 60, fullEveryHours: 24, quiet: false },
    allowConcurrent: true,
    createdAt: now,
    createdBy: ADMIN,
    updatedAt: now,
    updatedBy: ADMIN,
  });
}
