import type { Counters, TaskDoc, TaskType } from "../api/store/documents.ts";
import type { ChangeSummary } from "./changes.ts";
import { type FullSyncBound, incrementalBound } from "./lower-bound.ts";
import { type PhaseTime, watchTask } from "./progress.ts";
import { RssSampler } from "./rss.ts";
import type { TenantSize } from "./sizes.ts";
import type { SimCounts, Standins, StandinsSpec } from "./standins.ts";
import { type BenchWorker, startWorker } from "./worker.ts";
import { directoryWrites, type WriteCounts, writesSince } from "./write-counter.ts";

export type RunName = "full" | "incremental, no changes" | "incremental, 1% changed";

export interface RunResult {
  run: RunName;
  taskType: TaskType;
  status: TaskDoc["status"];
  wallMs: number;
  graph: {
    /** Graph's count (batch parts each count, envelopes do not), 429s included; from the simulator. */
    requests: number;
    byRoute: Record<string, number>;
    /** 429s Graph sent. */
    throttled: number;
    resourceUnits: number;
    /** The client's own view: HTTP round trips (a $batch is one), retries, batch parts sent. */
    httpCalls: number;
    retries: number;
    batchedRequests: number;
    /** Throttled answers the client gave up on: failed requests after retries. */
    failedAfterRetries: number;
  };
  lowerBound: number;
  ratio: number;
  cosmos: { operations: number; requestUnits: number; writes: WriteCounts; directoryWrites: number };
  /** Users and lists the task processed (its counters). */
  records: number;
  recordsPerSecond: number;
  counters: { users: Counters; lists: Counters };
  peakRssBytes: number;
  /** CPU time of the sync worker process, and of the process serving the simulator and Cosmos. */
  workerCpuMs: number;
  standinsCpuMs: number;
  standinsPeakRssBytes: number;
  /** Where the wall time went: waiting for Graph, waiting for Cosmos (overlaps count once each). */
  waits: { graphMs: number; cosmosMs: number };
  phases: PhaseTime[];
  notes: string[];
}

export interface SizeResult {
  size: TenantSize;
  latencyMs: number;
  /** Generating the tenant and starting the stand-ins. */
  setupMs: number;
  cosmosQueriesPatched: boolean;
  bound: FullSyncBound;
  /** Absent when the full sync did not succeed: incremental runs would only repeat it. */
  changes?: ChangeSummary;
  runs: RunResult[];
}

export interface BenchOptions {
  latencyMs: number;
  startStandins: (spec: StandinsSpec) => Promise<Standins>;
  /** Where progress lines go; none in tests. */
  progress?: NodeJS.WriteStream;
  /** A run still going after this long is cancelled, so the benchmark always ends. */
  maxRunMs?: number;
}

export const DEFAULT_MAX_RUN_MS = 30 * 60_000;

/**
 * One size: generate the tenant, then a full sync, an incremental run with nothing changed, and an
 * incremental run after 1% of users and memberships changed. Everything started here is closed here.
 */
export async function benchSize(size: TenantSize, options: BenchOptions): Promise<SizeResult> {
  const setupStart = Date.now();
  const standins = await options.startStandins({ size, latencyMs: options.latencyMs });
  let worker: BenchWorker | undefined;
  try {
    const bound = await standins.lowerBound();
    worker = await startWorker(standins.info, `bench-${size.name}`);
    const setupMs = Date.now() - setupStart;
    const measure = (run: RunName, type: TaskType, lowerBound: number) =>
      measureRun(
        worker as BenchWorker,
        standins,
        { run, type, lowerBound, label: `${size.name} ${run}` },
        options,
      );
    const result: SizeResult = {
      size,
      latencyMs: options.latencyMs,
      setupMs,
      cosmosQueriesPatched: standins.info.cosmosQueriesPatched,
      bound,
      runs: [],
    };
    const full = await measure("full", "full", bound.total);
    result.runs.push(full);
    if (full.status !== "succeeded") return result;
    result.runs.push(await measure("incremental, no changes", "incremental", incrementalBound(0, 0)));
    const changes = await standins.changeOnePercent();
    result.changes = changes;
    result.runs.push(
      await measure(
        "incremental, 1% changed",
        "incremental",
        incrementalBound(changes.changedUsers, changes.changedGroups),
      ),
    );
    return result;
  } finally {
    await worker?.close();
    await standins.close();
  }
}

async function measureRun(
  worker: BenchWorker,
  standins: Standins,
  spec: { run: RunName; type: TaskType; lowerBound: number; label: string },
  options: BenchOptions,
): Promise<RunResult> {
  const { tenantId } = worker.connection;
  const simBefore = await standins.counts();
  const opsBefore = worker.store.metrics.snapshot();
  const writesBefore = worker.writes();
  const cpuBefore = process.cpuUsage();
  // Also starts the stand-ins' peak RSS afresh.
  const standinsCpuBefore = (await standins.usage()).cpuMs;
  const graphBusyBefore = worker.graphBusy.ms();
  const cosmosBusyBefore = worker.cosmosBusy.ms();
  const rss = new RssSampler();
  rss.start();
  const started = performance.now();

  const queued = await worker.run(spec.type);
  const watch = watchTask(worker.observer, tenantId, queued.id, spec.label, options.progress);
  const cap = setTimeout(() => void worker.cancel(queued.id), options.maxRunMs ?? DEFAULT_MAX_RUN_MS);
  await worker.idle();
  clearTimeout(cap);
  const wallMs = performance.now() - started;
  const peakRssBytes = rss.stop();
  const cpu = process.cpuUsage(cpuBefore);
  const waits = {
    graphMs: Math.round(worker.graphBusy.ms() - graphBusyBefore),
    cosmosMs: Math.round(worker.cosmosBusy.ms() - cosmosBusyBefore),
  };
  const opsAfter = worker.store.metrics.snapshot();
  const writes = writesSince(writesBefore, worker.writes());
  const sim = diff(simBefore, await standins.counts());
  const standinsUsage = await standins.usage();
  const phases = await watch.stop();
  const task = await worker.observer.tasks.require(tenantId, queued.id);
  const stats = worker.graph()?.stats;
  if (task.status !== "succeeded")
    options.progress?.write(
      `  [${spec.label}] ${task.status}: ${task.error?.message ?? task.notes.join(" ")}\n`,
    );

  const records = task.counters.users.processed + task.counters.lists.processed;
  // Every 429 Graph sent that the client did not send again (the simulator sends no 503/504 unprompted).
  const unretried = Math.max(0, sim.throttled - (stats?.retries ?? 0));
  return {
    run: spec.run,
    taskType: spec.type,
    status: task.status,
    wallMs: Math.round(wallMs),
    graph: {
      requests: sim.requests,
      byRoute: sim.byRoute,
      throttled: sim.throttled,
      resourceUnits: sim.resourceUnits,
      httpCalls: stats?.requests ?? 0,
      retries: stats?.retries ?? 0,
      batchedRequests: stats?.batchedRequests ?? 0,
      failedAfterRetries: unretried + (task.status === "succeeded" ? 0 : 1),
    },
    lowerBound: spec.lowerBound,
    ratio: sim.requests / spec.lowerBound,
    cosmos: {
      operations: opsAfter.operations - opsBefore.operations,
      requestUnits: Math.round((opsAfter.requestUnits - opsBefore.requestUnits) * 100) / 100,
      writes,
      directoryWrites: directoryWrites(writes),
    },
    records,
    recordsPerSecond: records / (wallMs / 1000),
    counters: task.counters,
    peakRssBytes,
    workerCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    standinsCpuMs: standinsUsage.cpuMs - standinsCpuBefore,
    standinsPeakRssBytes: standinsUsage.peakRssBytes,
    waits,
    phases,
    notes: task.error ? [...task.notes, `error: ${task.error.message}`] : task.notes,
  };
}

function diff(before: SimCounts, after: SimCounts): SimCounts {
  const byRoute: Record<string, number> = {};
  for (const [route, n] of Object.entries(after.byRoute)) {
    const d = n - (before.byRoute[route] ?? 0);
    if (d > 0) byRoute[route] = d;
  }
  return {
    requests: after.requests - before.requests,
    byRoute,
    throttled: after.throttled - before.throttled,
    resourceUnits: after.resourceUnits - before.resourceUnits,
  };
}
