import type { Counters, TaskType } from "../api/domain/tasks.ts";
import type { TaskDoc } from "../api/store/documents.ts";
import type { AzureRu } from "./azure-ru.ts";
import type { ChangeSummary } from "./changes.ts";
import type { EventsBench } from "./events.ts";
import { type FullSyncBound, incrementalBound } from "./lower-bound.ts";
import { measureRun } from "./measure.ts";
import type { PhaseTime } from "./progress.ts";
import { killAndResume, type ResumeCheck } from "./resume.ts";
import type { TenantSize } from "./sizes.ts";
import type { Standins, StandinsSpec } from "./standins.ts";
import { type BenchWorker, startWorker } from "./worker.ts";
import type { WriteCounts } from "./write-counter.ts";

export type RunName =
  | "full"
  | "full, killed and resumed"
  | "incremental, no changes"
  | "incremental, 1% changed";

export interface RunResult {
  run: RunName;
  taskType: TaskType;
  taskId: string;
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
  cosmos: {
    operations: number;
    /** As the local server charges them: 1 per operation. */
    requestUnits: number;
    writes: WriteCounts;
    directoryWrites: number;
    /** What the same calls would cost on Azure Cosmos DB, estimated from document sizes (bench/azure-ru.ts). */
    azure?: AzureRu;
  };
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
  /** Only for "full, killed and resumed": where the worker was killed and whether the result is the same. */
  resume?: ResumeCheck;
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
  /** Directory events: their cost on a full sync, snapshot drain, webhook throughput (bench/events.ts). */
  events?: EventsBench;
}

export interface BenchOptions {
  latencyMs: number;
  startStandins: (spec: StandinsSpec) => Promise<Standins>;
  /** Where progress lines go; none in tests. */
  progress?: NodeJS.WriteStream;
  /** A run still going after this long is cancelled, so the benchmark always ends. */
  maxRunMs?: number;
  /** When to kill the worker of the killed full sync, as a fraction of the full sync's time; random otherwise. */
  killAt?: number;
  /** Only the full sync. */
  fullOnly?: boolean;
}

/**
 * One size: generate the tenant, then a full sync, a full sync whose worker is killed and resumed by
 * another, an incremental run with nothing changed, and an incremental run after 1% of users and
 * memberships changed. Everything started here is closed here.
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
    if (full.status !== "succeeded" || options.fullOnly) return result;
    // Before the tenant changes, so both full syncs read the same directory.
    result.runs.push(
      await killAndResume(
        { standins, reference: worker, full, database: `bench-${size.name}-resumed`, sizeName: size.name },
        options,
      ),
    );
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
