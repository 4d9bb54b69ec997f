import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { createCosmosClient } from "../api/store/cosmos.ts";
import type { Store } from "../api/store/store.ts";
import { leaseId } from "../api/sync/service.ts";
import type { BenchOptions, RunResult } from "./bench.ts";
import { describeKill, type KillPoint, killMidRun } from "./kill.ts";
import { diff, measureRun } from "./measure.ts";
import { compareDirectories, type DirectoryComparison, sameDirectory } from "./same-directory.ts";
import type { Standins, StandinsInfo } from "./standins.ts";
import { type BenchWorker, startWorker } from "./worker.ts";

/** Short, so the survivor takes over seconds after the kill instead of production's minute. */
const RESUME_LEASE_MS = 3000;

export interface ResumeCheck {
  kill: KillPoint;
  takenOver: boolean;
  /** From the kill until the survivor took the task over: the dead worker's lease had to expire. */
  takeoverMs: number;
  /** Graph requests (the simulator's count) of the killed worker and of the survivor. */
  graphRequests: { killed: number; resumed: number };
  sameCounters: boolean;
  directory: DirectoryComparison;
  /** "created" task records: a resumed run that created anything twice would have more. */
  createdRecords: { uninterrupted: number; resumed: number };
  /** Killed mid-run, taken over, succeeded, with the same counters, directory and created records. */
  identical: boolean;
}

export interface ResumeContext {
  standins: Standins;
  /** The worker that ran the uninterrupted full sync, and that run. */
  reference: BenchWorker;
  full: RunResult;
  /** A database of its own on the same Cosmos server, dropped afterwards. */
  database: string;
  sizeName: string;
}

/**
 * A full sync whose worker process is killed (SIGKILL) at a random point between 10% and 90% of the
 * uninterrupted full sync's time, then taken over by a survivor in this process once the dead worker's
 * lease expired, and compared with the uninterrupted run. The point is a share of time, not of records,
 * so it falls in each phase as often as that phase lasts: a list costs far more than a user. Time, Cosmos
 * and memory are the survivor's part; Graph requests are both parts'.
 */
export async function killAndResume(ctx: ResumeContext, options: BenchOptions): Promise<RunResult> {
  const { standins, full } = ctx;
  const { tenantId } = standins.info;
  const label = `${ctx.sizeName} full, killed and resumed`;
  const masterKey = randomBytes(32);
  const survivor = await startWorker(standins.info, ctx.database, {
    masterKey,
    instanceId: "survivor",
    leaseMs: RESUME_LEASE_MS,
  });
  try {
    const simStart = await standins.counts();
    const fraction = options.killAt ?? 0.1 + Math.random() * 0.8;
    const { taskId, kill, killedAt } = await killMidRun({
      info: standins.info,
      database: ctx.database,
      survivor,
      masterKey,
      leaseMs: RESUME_LEASE_MS,
      fraction,
      referenceMs: full.wallMs,
      label: `${ctx.sizeName} full, worker to be killed`,
      progress: options.progress,
    });
    options.progress?.write(`  [${label}] ${describeKill(kill)}\n`);
    const killedPart = diff(simStart, await standins.counts());

    const midRun = kill.status === "running" || kill.status === "queued";
    if (midRun) await leaseExpiry(survivor.observer, tenantId, survivor.connection.id);
    let takenOver = false;
    let takeoverMs = 0;
    const takeOver = async () => {
      for (let attempt = 0; midRun && !takenOver && attempt < 100; attempt++) {
        takenOver = (await survivor.resumeOrphans()) > 0;
        if (!takenOver) await sleep(100);
      }
      takeoverMs = performance.now() - killedAt;
      return taskId;
    };
    const run = await measureRun(
      survivor,
      standins,
      { run: "full, killed and resumed", type: "full", lowerBound: full.lowerBound, label, start: takeOver },
      options,
    );
    const whole = diff(simStart, await standins.counts());

    options.progress?.write(`  [${label}] comparing with the uninterrupted full sync\n`);
    const directory = await compareDirectories(
      { store: ctx.reference.observer, tenantId, connectionId: ctx.reference.connection.id },
      { store: survivor.observer, tenantId, connectionId: survivor.connection.id },
    );
    const createdRecords = {
      uninterrupted: await countCreated(ctx.reference.observer, tenantId, full.taskId),
      resumed: await countCreated(survivor.observer, tenantId, taskId),
    };
    const sameCounters = isDeepStrictEqual(run.counters, full.counters);
    const identical =
      midRun &&
      takenOver &&
      run.status === "succeeded" &&
      sameCounters &&
      sameDirectory(directory) &&
      createdRecords.resumed === createdRecords.uninterrupted;
    return {
      ...run,
      graph: {
        ...run.graph,
        requests: whole.requests,
        byRoute: whole.byRoute,
        throttled: whole.throttled,
        resourceUnits: whole.resourceUnits,
      },
      ratio: whole.requests / run.lowerBound,
      resume: {
        kill,
        takenOver,
        takeoverMs: Math.round(takeoverMs),
        graphRequests: { killed: killedPart.requests, resumed: run.graph.requests },
        sameCounters,
        directory,
        createdRecords,
        identical,
      },
    };
  } finally {
    await survivor.close();
    // A copy left behind costs memory only; the error that got here matters more.
    await dropDatabase(standins.info, ctx.database).catch(() => undefined);
  }
}

/** Waits out the killed worker's lease, so the resumed part's time does not include the wait. */
async function leaseExpiry(store: Store, tenantId: string, connectionId: string): Promise<void> {
  const lease = await store.leases.get(tenantId, leaseId(connectionId));
  if (lease) await sleep(Date.parse(lease.expiresAt) - Date.now());
}

async function countCreated(store: Store, tenantId: string, taskId: string): Promise<number> {
  return store.taskRecords.count(tenantId, {
    where: "c.taskId = @t AND c.action = 'created'",
    parameters: [{ name: "@t", value: taskId }],
  });
}

/** The resumed run's copy of the directory would otherwise burden the Cosmos server in later runs. */
async function dropDatabase(info: StandinsInfo, database: string): Promise<void> {
  const client = await createCosmosClient({ endpoint: info.cosmosEndpoint, key: info.cosmosKey, database });
  try {
    await client.database(database).delete();
  } finally {
    client.dispose();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
