import type { TaskType } from "../api/domain/tasks.ts";
import { azureRuSince } from "./azure-ru.ts";
import type { BenchOptions, RunName, RunResult } from "./bench.ts";
import { watchTask } from "./progress.ts";
import { RssSampler } from "./rss.ts";
import type { SimCounts, Standins } from "./standins.ts";
import type { BenchWorker } from "./worker.ts";
import { directoryWrites, writesSince } from "./write-counter.ts";

const DEFAULT_MAX_RUN_MS = 30 * 60_000;

export interface RunSpec {
  run: RunName;
  type: TaskType;
  lowerBound: number;
  label: string;
  /** Starts (or takes over) the task and returns its id; by default the worker starts a task of `type`. */
  start?: () => Promise<string>;
}

/** Runs one task on the worker and measures it: Graph (as the simulator counts), Cosmos, time, memory, CPU. */
export async function measureRun(
  worker: BenchWorker,
  standins: Standins,
  spec: RunSpec,
  options: BenchOptions,
): Promise<RunResult> {
  const { tenantId } = worker.connection;
  const simBefore = await standins.counts();
  const opsBefore = worker.store.metrics.snapshot();
  const writesBefore = worker.writes();
  const azureBefore = worker.azureRu();
  const cpuBefore = process.cpuUsage();
  // Also starts the stand-ins' peak RSS afresh.
  const standinsCpuBefore = (await standins.usage()).cpuMs;
  const graphBusyBefore = worker.graphBusy.ms();
  const cosmosBusyBefore = worker.cosmosBusy.ms();
  const rss = new RssSampler();
  rss.start();
  const started = performance.now();

  const taskId = spec.start ? await spec.start() : (await worker.run(spec.type)).id;
  const watch = watchTask(worker.observer, tenantId, taskId, spec.label, options.progress);
  const cap = setTimeout(() => void worker.cancel(taskId), options.maxRunMs ?? DEFAULT_MAX_RUN_MS);
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
  const task = await worker.observer.tasks.require(tenantId, taskId);
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
    taskId,
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
      azure: azureRuSince(azureBefore, worker.azureRu()),
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

/** What the simulator counted between two snapshots. */
export function diff(before: SimCounts, after: SimCounts): SimCounts {
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
