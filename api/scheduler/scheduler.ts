import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.ts";
import type { ConnectionDoc, TaskType } from "../store/documents.ts";
import { isStoreError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";
import { nextAtOf, SCHEDULER_PARTITION, type ScheduleSlotDoc, slotRepository } from "./slots.ts";

/** What the sync service provides: start a task, or say one is already running. */
export type StartScheduledTask = (
  tenantId: string,
  connectionId: string,
  options: { type: Extract<TaskType, "full" | "incremental">; trigger: "schedule" },
) => Promise<{ status: "started"; taskId: string } | { status: "already-running"; taskId?: string }>;

/** Checks the consenting admin; resolves whether a run may go ahead (false: credential lost). */
export type AdminCheck = (connection: ConnectionDoc) => Promise<void>;

export interface SchedulerOptions {
  store: Store;
  startTask: StartScheduledTask;
  adminCheck?: AdminCheck;
  logger: Logger;
  instanceId?: string;
  now?: () => number;
  /** How long a claimed slot is held while its run is being started. */
  claimSeconds?: number;
  /** Longest back-off between attempts while a connection needs reauthorization. */
  maxBackoffMinutes?: number;
}

export type TickOutcome =
  | { connectionId: string; tenantId: string; action: "started"; taskId: string; type: TaskType }
  | { connectionId: string; tenantId: string; action: "skipped"; reason: string }
  | { connectionId: string; tenantId: string; action: "checked-admin" };

const DAY_MS = 24 * 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Starts scheduled runs. Every API instance runs a scheduler; each due slot is claimed by replacing it
 * with the ETag read, so exactly one instance starts each run. Runs are skipped while one is going and
 * back off exponentially while the connection needs reauthorization.
 */
export class Scheduler {
  readonly instanceId: string;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<TickOutcome[]> | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.instanceId = options.instanceId ?? `api-${randomUUID().slice(0, 8)}`;
    this.now = options.now ?? Date.now;
  }

  /** The sync service is built after the auth module (it needs its credentials); it plugs in here. */
  setStartTask(startTask: StartScheduledTask): void {
    this.options.startTask = startTask;
  }

  start(everyMs = 15_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.tick().catch((err) => this.options.logger.error({ err }, "scheduler tick failed"));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One pass over due slots; never runs twice at once inside one instance. */
  tick(): Promise<TickOutcome[]> {
    this.ticking ??= this.pass().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async pass(): Promise<TickOutcome[]> {
    const now = this.now();
    const slots = await slotRepository(this.options.store).all(SCHEDULER_PARTITION, {
      where: "c.purpose = 'schedule' AND c.nextAt <= @now",
      parameters: [{ name: "@now", value: iso(now) }],
    });
    const outcomes: TickOutcome[] = [];
    for (const slot of slots) {
      try {
        const outcome = await this.handle(slot, now);
        if (outcome) outcomes.push(outcome);
      } catch (err) {
        this.options.logger.error(
          { err, connectionId: slot.connectionId },
          "scheduled run could not be started",
        );
      }
    }
    return outcomes;
  }

  private async handle(slot: ScheduleSlotDoc, now: number): Promise<TickOutcome | undefined> {
    const store = this.options.store;
    const ref = { tenantId: slot.connectionTenantId, connectionId: slot.connectionId };
    const connection = await store.connections.get(slot.connectionTenantId, slot.connectionId);
    if (!connection) {
      await slotRepository(store).delete(SCHEDULER_PARTITION, slot.id, { ifMatch: slot._etag });
      return undefined;
    }
    const runDue = Boolean(slot.dueAt && slot.dueAt <= iso(now));
    const checkDue = slot.adminCheckAt <= iso(now);
    const interval = connection.schedule.intervalMinutes * 60_000;
    const next: ScheduleSlotDoc = {
      ...slot,
      owner: this.instanceId,
      expiresAt: iso(now + (this.options.claimSeconds ?? 60) * 1000),
    };
    if (checkDue) next.adminCheckAt = iso(now + DAY_MS);

    let decision: "run" | "reauth" | "off" | "none" = "none";
    if (runDue) {
      if (!connection.schedule.enabled || connection.status === "inactive") {
        decision = "off";
        delete next.dueAt;
      } else if (connection.status === "needs-reauth") {
        decision = "reauth";
        next.reauthSkips = (slot.reauthSkips ?? 0) + 1;
        const backoff = Math.min(
          interval * 2 ** next.reauthSkips,
          (this.options.maxBackoffMinutes ?? 24 * 60) * 60_000,
        );
        next.dueAt = iso(now + Math.max(interval, backoff));
      } else {
        decision = "run";
        next.reauthSkips = 0;
        next.dueAt = iso(now + interval);
        next.lastRunAt = iso(now);
      }
    }
    const fullDue =
      !slot.lastFullAt || Date.parse(slot.lastFullAt) + connection.schedule.fullEveryHours * 3600_000 <= now;
    if (decision === "run" && fullDue) next.lastFullAt = iso(now);
    next.nextAt = nextAtOf(next);

    // The claim: only the instance whose replace matches the ETag it read goes on.
    try {
      await slotRepository(store).replace(next, { ifMatch: slot._etag });
    } catch (err) {
      if (isStoreError(err, "precondition-failed") || isStoreError(err, "not-found")) return undefined;
      throw err;
    }

    if (decision === "reauth")
      return {
        ...ref,
        action: "skipped",
        reason: `needs reauthorization (${connection.statusProblem?.code ?? "unknown"})`,
      };
    if (decision === "off") return { ...ref, action: "skipped", reason: "schedule is off" };
    if (decision === "none") {
      if (checkDue && connection.kind === "graph-delegated") await this.options.adminCheck?.(connection);
      return { ...ref, action: "checked-admin" };
    }

    // Before each run: is the consenting admin still there? (A lost credential shows up here first.)
    if (connection.kind === "graph-delegated" && this.options.adminCheck) {
      await this.options.adminCheck(connection);
      const fresh = await store.connections.get(connection.tenantId, connection.id);
      if (fresh?.status === "needs-reauth")
        return {
          ...ref,
          action: "skipped",
          reason: `needs reauthorization (${fresh.statusProblem?.code ?? "unknown"})`,
        };
    }
    if (connection.lastTask && ["queued", "running"].includes(connection.lastTask.status))
      return {
        ...ref,
        action: "skipped",
        reason: `task ${connection.lastTask.id} is still ${connection.lastTask.status}`,
      };
    const type = fullDue ? "full" : "incremental";
    const result = await this.options.startTask(connection.tenantId, connection.id, {
      type,
      trigger: "schedule",
    });
    if (result.status === "already-running")
      return {
        ...ref,
        action: "skipped",
        reason: `a run is already going${result.taskId ? ` (task ${result.taskId})` : ""}`,
      };
    this.options.logger.info({ ...ref, taskId: result.taskId, type }, "scheduled run started");
    return { ...ref, action: "started", taskId: result.taskId, type };
  }
}
