import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TaskDoc } from "../api/store/documents.ts";
import { formatCount, formatDuration, formatPercent } from "./format.ts";
import { watchTask } from "./progress.ts";
import type { StandinsInfo } from "./standins.ts";
import type { BenchWorker } from "./worker.ts";

const KILLABLE_WORKER = fileURLToPath(new URL("../dev/killable-sync-worker.ts", import.meta.url));

export interface KillPoint {
  /** When the worker was killed, as a fraction of the uninterrupted full sync's wall time. */
  fraction: number;
  /** From the task's creation to the kill. */
  afterMs: number;
  /** The task as the killed worker last saved it. */
  status: TaskDoc["status"];
  phase: string;
  processed: number;
  total?: number;
}

export interface KillSpec {
  info: StandinsInfo;
  /** The survivor's database and connection: the killed worker syncs into them. */
  database: string;
  survivor: BenchWorker;
  masterKey: Buffer;
  leaseMs: number;
  fraction: number;
  /** The uninterrupted full sync's wall time. */
  referenceMs: number;
  label: string;
  progress: NodeJS.WriteStream | undefined;
}

/**
 * Starts a full sync in a worker process and kills it with SIGKILL after `fraction` of the reference
 * time, as a crash would: no checkpoint written, no lease released. Returns the task as last saved.
 */
export async function killMidRun(
  spec: KillSpec,
): Promise<{ taskId: string; kill: KillPoint; killedAt: number }> {
  const { info, survivor } = spec;
  const child = spawn(process.execPath, ["--import", "tsx", KILLABLE_WORKER], {
    env: {
      ...process.env,
      COSMOS_ENDPOINT: info.cosmosEndpoint,
      COSMOS_KEY: info.cosmosKey,
      COSMOS_DATABASE: spec.database,
      SIM_URL: info.simUrl,
      MASTER_KEY: spec.masterKey.toString("base64"),
      TENANT_ID: info.tenantId,
      CONNECTION_ID: survivor.connection.id,
      LEASE_MS: String(spec.leaseMs),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const killNow = () => child.kill("SIGKILL");
  // The benchmark interrupted (Ctrl-C): the worker must not outlive it.
  process.once("exit", killNow);
  const exited = exitOf(child);
  try {
    const taskId = await firstLine(child, exited);
    const started = performance.now();
    const watch = watchTask(survivor.observer, info.tenantId, taskId, spec.label, spec.progress);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise((resolve) => {
        timer = setTimeout(resolve, spec.fraction * spec.referenceMs);
      }),
      exited,
    ]);
    clearTimeout(timer);
    killNow();
    await exited;
    const killedAt = performance.now();
    await watch.stop();
    const task = await survivor.observer.tasks.require(info.tenantId, taskId);
    const { phase, processed, total } = task.progress;
    return {
      taskId,
      killedAt,
      kill: {
        fraction: spec.fraction,
        afterMs: Math.round(killedAt - started),
        status: task.status,
        phase,
        processed,
        ...(total !== undefined ? { total } : {}),
      },
    };
  } finally {
    killNow();
    process.off("exit", killNow);
  }
}

export function describeKill(kill: KillPoint): string {
  return `worker killed after ${formatDuration(kill.afterMs)} (${formatPercent(kill.fraction)} of the full sync's time) ${killWhere(kill)}`;
}

/** The phase and progress the killed worker had last saved. */
export function killWhere(kill: KillPoint): string {
  if (kill.status !== "running" && kill.status !== "queued") return `too late: the task had ${kill.status}`;
  const progress = kill.total
    ? `${formatCount(kill.processed)}/${formatCount(kill.total)}`
    : formatCount(kill.processed);
  return `while ${kill.phase} (progress last saved: ${progress})`;
}

const exitOf = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

/** The task id the worker prints once the task exists. */
function firstLine(child: ChildProcess, exited: Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk) => {
      text += String(chunk);
      const end = text.indexOf("\n");
      if (end >= 0) resolve(text.slice(0, end).trim());
    });
    void exited.then(() =>
      reject(new Error(`the sync worker exited before starting (code ${child.exitCode})`)),
    );
  });
}
