import { randomUUID } from "node:crypto";
import type { TaskType } from "../domain/tasks.ts";
import type { Logger } from "../logger.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import { isStoreError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";
import { afterFailure, changedSince, type Failure, quarantinedUntil } from "./backoff.ts";
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
  /**
   * Tries a connection's credential again (a fresh token, no cache); resolves true when Entra ID issued one
   * and the connection is active again. Without it, a connection needing reauthorization only waits.
   */
  probe?: (connection: ConnectionDoc) => Promise<boolean>;
}

export type TickOutcome =
  | { connectionId: string; tenantId: string; action: "started"; taskId: string; type: TaskType }
  | { connectionId: string; tenantId: string; action: "skipped"; reason: string }
  | { connectionId: string; tenantId: string; action: "checked-admin" };

const DAY_MS = 24 * 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Starts scheduled runs. Every API instance runs a scheduler; each due slot is claimed by replacing it
 * with the ETag read, so exactly one instance starts each run. Runs are skipped while one is going. A
 * connection that keeps failing for one cause is quarantined (backoff.ts): its credential or its run is
 * tried again 6, 12, then every 24 hours, until a success or a change to the connection ends it at once.
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
    // Quarantined slots are looked at on every pass too: a change to their connection ends the wait.
    const slots = await slotRepository(this.options.store).all(SCHEDULER_PARTITION, {
      where: "c.purpose = 'schedule' AND (c.nextAt <= @now OR IS_DEFINED(c.backoff))",
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
    // Someone changed a quarantined connection (new secret, reauthorized, new settings): try it at once.
    const fixed = Boolean(
      slot.backoff && changedSince(slot.backoff, connection) && connection.status === "active",
    );
    const runDue = fixed || Boolean(slot.dueAt && slot.dueAt <= iso(now));
    const checkDue = slot.adminCheckAt <= iso(now);
    if (!runDue && !checkDue) return undefined;
    const interval = connection.schedule.intervalMinutes * 60_000;
    const next: ScheduleSlotDoc = {
      ...slot,
      owner: this.instanceId,
      expiresAt: iso(now + (this.options.claimSeconds ?? 60) * 1000),
    };
    if (checkDue) next.adminCheckAt = iso(now + DAY_MS);

    let decision: "run" | "reauth" | "probe" | "quarantine" | "off" | "none" = "none";
    if (runDue) {
      if (!connection.schedule.enabled || connection.status === "inactive") {
        decision = "off";
        delete next.dueAt;
        delete next.backoff;
      } else if (connection.status === "needs-reauth") {
        const failure = this.credentialFailure(connection, now);
        const backoff =
          slot.backoff?.credential && slot.backoff.cause === failure.cause
            ? slot.backoff
            : afterFailure(undefined, { ...failure, at: connection.statusProblem?.since ?? iso(now) });
        const until = quarantinedUntil(backoff) as number;
        if (until > now || !this.options.probe) {
          decision = "reauth";
          next.backoff = backoff;
          next.dueAt = iso(Math.max(until, now + interval));
        } else {
          // Claimed as if the credential still fails; a credential that works replaces this below.
          decision = "probe";
          next.backoff = afterFailure(backoff, failure);
          next.dueAt = iso(quarantinedUntil(next.backoff) as number);
        }
      } else {
        const failure = fixed ? undefined : await this.runFailure(connection, now);
        const backoff = failure
          ? afterFailure(slot.backoff?.credential ? undefined : slot.backoff, failure)
          : undefined;
        const until = quarantinedUntil(backoff);
        if (backoff) next.backoff = backoff;
        else delete next.backoff;
        if (until !== undefined && until > now) {
          decision = "quarantine";
          next.dueAt = iso(until);
        } else {
          decision = "run";
          next.dueAt = iso(now + interval);
          next.lastRunAt = iso(now);
        }
      }
    }
    const fullDue =
      !slot.lastFullAt || Date.parse(slot.lastFullAt) + connection.schedule.fullEveryHours * 3600_000 <= now;
    if (decision === "run" && fullDue) next.lastFullAt = iso(now);
    next.nextAt = nextAtOf(next);

    // The claim: only the instance whose replace matches the ETag it read goes on.
    let claimed: ScheduleSlotDoc;
    try {
      claimed = await slotRepository(store).replace(next, { ifMatch: slot._etag });
    } catch (err) {
      if (isStoreError(err, "precondition-failed") || isStoreError(err, "not-found")) return undefined;
      throw err;
    }

    if (decision === "probe") {
      if (!(await this.options.probe?.(connection)))
        return {
          ...ref,
          action: "skipped",
          reason: `needs reauthorization (${next.backoff?.cause}); tried again, next attempt at ${next.dueAt}`,
        };
      // The credential works again: the quarantine is over and this run goes ahead.
      const { backoff: _over, ...rest } = claimed;
      const resumed: ScheduleSlotDoc = { ...rest, dueAt: iso(now + interval), lastRunAt: iso(now) };
      resumed.nextAt = nextAtOf(resumed);
      await slotRepository(store).replace(resumed, { ifMatch: claimed._etag });
      connection.status = "active";
    }
    if (decision === "quarantine")
      return {
        ...ref,
        action: "skipped",
        reason: `quarantined after ${next.backoff?.failures} failed runs (${next.backoff?.cause}); next attempt at ${next.dueAt}`,
      };
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

  private credentialFailure(connection: ConnectionDoc, now: number): Failure {
    return {
      cause: connection.statusProblem?.code ?? "needs-reauth",
      at: iso(now),
      connectionUpdatedAt: connection.updatedAt,
      credential: true,
    };
  }

  /** The connection's last run, when it failed: its error code is the cause. */
  private async runFailure(connection: ConnectionDoc, now: number): Promise<Failure | undefined> {
    const last = connection.lastTask;
    if (last?.status !== "failed") return undefined;
    const task = await this.options.store.tasks.get(connection.tenantId, last.id);
    return {
      cause: task?.error?.code ?? "failed",
      at: last.finishedAt ?? iso(now),
      taskId: last.id,
      connectionUpdatedAt: connection.updatedAt,
      credential: false,
    };
  }
}
