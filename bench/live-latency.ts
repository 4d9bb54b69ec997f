import type { RunningApi } from "../api/app/start.ts";
import { SYSTEM_ACTOR } from "../api/domain/actor.ts";
import type { ProfileDoc, TaskDoc } from "../api/store/documents.ts";
import { connectStandinsTenant, startBenchApi } from "./bench-api.ts";
import type { TenantSize } from "./sizes.ts";
import { startStandins } from "./standins.ts";

/**
 * "Change to visible": how long after a change in Entra (the simulator's admin API) the changed profile is
 * in Cosmos, over 100 changes, with Graph change notifications on (production's debounce: 0.5 s quiet, 3 s
 * at most) and, side by side, with notifications dropped and an incremental run every `pollEverySeconds`
 * (the schedule's shortest interval is a minute). Also Graph requests per change.
 */
export interface LatencyOptions {
  latencyMs: number;
  changes?: number;
  pollEverySeconds?: number;
  progress?: NodeJS.WriteStream;
}

interface LatencyMode {
  mode: "notifications" | "polling";
  changes: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  runs: number;
  graphRequestsPerChange: number;
}

export interface LatencyResult {
  size: TenantSize;
  latencyMs: number;
  fullSyncMs: number;
  modes: LatencyMode[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** A small deterministic generator, so both modes of a size see the same change times. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function benchLatency(size: TenantSize, options: LatencyOptions): Promise<LatencyResult> {
  const log = (line: string) => options.progress?.write(`${size.name} change to visible: ${line}\n`);
  const standins = await startStandins({ size, latencyMs: options.latencyMs });
  const sim = standins.simulator;
  if (!sim) throw new Error("the change-to-visible benchmark needs the simulator in this process");
  const { info } = standins;
  let api: RunningApi | undefined;
  try {
    // No scheduled runs: they come from notifications, or from this benchmark's own clock in the polling mode.
    const started = await startBenchApi(
      sim,
      info,
      { endpoint: info.cosmosEndpoint, key: info.cosmosKey, database: `bench-live-${size.name}` },
      { rejectErrors: false },
    );
    api = started.api;
    const running = api;
    const { call } = started;
    const connection = await connectStandinsTenant(call, info);
    const connectionId = connection.id as string;
    const waitTask = async (id: string) => {
      for (;;) {
        const task = (await call(`/api/tasks/${id}`)) as unknown as TaskDoc;
        if (task.status !== "queued" && task.status !== "running") return task;
        await sleep(250);
      }
    };
    log("full sync");
    const fullStart = Date.now();
    const full = await call(`/api/connections/${connectionId}/tasks`, {
      method: "POST",
      json: { type: "full" },
    });
    const fullTask = await waitTask(full.id as string);
    if (fullTask.status !== "succeeded") throw new Error(`the full sync ${fullTask.status}`);
    const fullSyncMs = Date.now() - fullStart;
    for (;;) {
      if ((await call(`/api/connections/${connectionId}/live`)).state === "live") break;
      await sleep(100);
    }

    const profiles = await running.store.profiles.all(info.tenantId, {
      where: "c.status = 'active'",
      select: "c.sourceId",
    });
    const changes = options.changes ?? 100;
    const tasksNow = async () => running.store.tasks.count(info.tenantId, { where: "c.type = 'task'" });
    const idle = async () => {
      for (;;) {
        const busy = await running.store.tasks.count(info.tenantId, {
          where: "c.type = 'task' AND (c.status = 'queued' OR c.status = 'running')",
        });
        if (busy === 0) return;
        await sleep(200);
      }
    };

    /** Makes `changes` job-title changes at the given offsets and times each until its profile shows it. */
    const measure = async (
      mode: LatencyMode["mode"],
      offsetsMs: number[],
      whileWaiting?: (startedAt: number) => () => void,
    ): Promise<LatencyMode> => {
      await idle();
      const targets = profiles.slice(0, changes).map((p, i) => ({
        sourceId: (p as Pick<ProfileDoc, "sourceId">).sourceId,
        title: `${mode} ${i} ${Date.now()}`,
        at: 0,
        seenAfter: undefined as number | undefined,
      }));
      const requestsBefore = sim.stats.totalRequests;
      const runsBefore = await tasksNow();
      const startedAt = Date.now();
      const stop = whileWaiting?.(startedAt);
      let made = 0;
      const maker = (async () => {
        for (const [i, target] of targets.entries()) {
          const wait = startedAt + (offsetsMs[i] ?? 0) - Date.now();
          if (wait > 0) await sleep(wait);
          target.at = Date.now();
          sim.directory.updateUser(info.tenantId, target.sourceId, { jobTitle: target.title });
          made++;
        }
      })();
      while (targets.some((t) => t.seenAfter === undefined)) {
        const pending = targets.filter((t) => t.at > 0 && t.seenAfter === undefined);
        if (pending.length > 0) {
          const seen = await running.store.profiles.all(info.tenantId, {
            where: "ARRAY_CONTAINS(@ids, c.sourceId)",
            parameters: [{ name: "@ids", value: pending.map((t) => t.sourceId) }],
            select: "c.sourceId, c.fields.jobTitle",
          });
          const now = Date.now();
          const titles = new Map(
            seen.map((s) => [s.sourceId, (s as unknown as { jobTitle?: string }).jobTitle] as const),
          );
          for (const t of pending) if (titles.get(t.sourceId) === t.title) t.seenAfter = now - t.at;
        }
        await sleep(25);
      }
      await maker;
      stop?.();
      await idle();
      const sorted = targets.map((t) => t.seenAfter as number).sort((a, b) => a - b);
      const result: LatencyMode = {
        mode,
        changes: made,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        maxMs: sorted[sorted.length - 1] ?? Number.NaN,
        runs: (await tasksNow()) - runsBefore,
        graphRequestsPerChange: (sim.stats.totalRequests - requestsBefore) / made,
      };
      log(`${mode}: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ${result.runs} runs`);
      return result;
    };

    // Changes arrive at random moments over one polling interval, the same moments in both modes.
    const pollMs = (options.pollEverySeconds ?? 60) * 1000;
    const random = seeded(7);
    const offsets = Array.from({ length: changes }, () => Math.floor(random() * pollMs)).sort(
      (a, b) => a - b,
    );

    log("notifications on");
    const live = await measure("notifications", offsets);

    log(`notifications dropped, an incremental run every ${pollMs / 1000} s`);
    sim.directory.setNotificationDelivery({ mode: "drop" });
    const polled = await measure("polling", offsets, () => {
      const timer = setInterval(() => {
        void running.sync
          .startTask(info.tenantId, connectionId, {
            type: "incremental",
            trigger: "schedule",
            requestedBy: SYSTEM_ACTOR,
          })
          .catch(() => undefined);
      }, pollMs);
      return () => clearInterval(timer);
    });
    sim.directory.setNotificationDelivery({ mode: "deliver" });
    return { size, latencyMs: options.latencyMs, fullSyncMs, modes: [live, polled] };
  } finally {
    await api?.close();
    await standins.close();
  }
}

export function formatLatency(result: LatencyResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const rows = result.modes.map(
    (m) =>
      `  ${(m.mode === "notifications" ? "notifications on" : "polling every minute").padEnd(22)}${s(m.p50Ms).padStart(9)}${s(m.p95Ms).padStart(9)}${s(m.maxMs).padStart(9)}${String(m.runs).padStart(7)}${m.graphRequestsPerChange.toFixed(2).padStart(15)}`,
  );
  return [
    `${result.size.name} (${result.size.users} users), change to visible over ${result.modes[0]?.changes ?? 0} changes, ${result.latencyMs} ms Graph latency (full sync ${s(result.fullSyncMs)}):`,
    `  ${"".padEnd(22)}${"p50".padStart(9)}${"p95".padStart(9)}${"max".padStart(9)}${"runs".padStart(7)}${"Graph/change".padStart(15)}`,
    ...rows,
  ].join("\n");
}
