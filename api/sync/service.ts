import { randomUUID } from "node:crypto";
import type { Actor } from "../domain/actor.ts";
import type { Problem } from "../domain/problem.ts";
import { syncSettingsSchema } from "../domain/sync-settings.ts";
import type { TaskTrigger, TaskType } from "../domain/tasks.ts";
import type { EventBus } from "../events.ts";
import type { ChangeFeed } from "../feed/change-feed.ts";
import type { GraphApi } from "../graph/client.ts";
import { type DirectoryProblem, isDirectoryProblem } from "../graph/problems.ts";
import type { Logger } from "../logger.ts";
import type { ConnectionDoc, LeaseDoc, TaskDoc } from "../store/documents.ts";
import { isStoreError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";
import { observeQueueDepth } from "../telemetry/instruments.ts";
import { type RunOutcome, runSync } from "./engine.ts";
import { Leases } from "./lease.ts";
import { recountFromRecords } from "./recount.ts";
import { summarize } from "./summary.ts";
import { emptyCounters, mergeNotes, TaskInterrupted, TaskReporter } from "./task-reporter.ts";
import { traceTask } from "./task-telemetry.ts";
import { throttledNote, watchThrottling } from "./throttle-watch.ts";

export interface StartRequest {
  type: TaskType;
  trigger: TaskTrigger;
  requestedBy: Actor;
}

export type StartResult = { task: TaskDoc } | { alreadyRunning: TaskDoc };

export class SyncRequestError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    readonly problem: Problem,
  ) {
    super(problem.message);
  }
}

/**
 * A push source's held removals: its SCIM client cannot wait for an admin, so the push guard holds them on a
 * halted task of trigger `scim`, and an admin's confirm or cancel of that task is handed to it.
 */
export interface PushDecisions {
  confirm(task: TaskDoc, actor: Actor): Promise<TaskDoc>;
  discard(task: TaskDoc, actor: Actor): Promise<void>;
}

export interface SyncServiceDeps {
  store: Store;
  events: EventBus;
  logger: Logger;
  /** Builds a Graph client with the connection's credentials; throws a DirectoryProblem if it cannot. */
  graphFor: (connection: ConnectionDoc) => Promise<GraphApi>;
  /** Called when a run lost its credentials, so the connection can be marked for reauthorization. */
  onCredentialProblem?: (connection: ConnectionDoc, problem: DirectoryProblem) => Promise<void>;
  /** Runs before each task; may refuse (for example: the consenting admin left). */
  beforeRun?: (connection: ConnectionDoc) => Promise<void>;
  /** The directory's change feed; every write a run makes goes through it. Absent: events switched off. */
  feed?: ChangeFeed;
  instanceId?: string;
  leaseMs?: number;
  now?: () => Date;
}

const LEASE_MS = 60_000;

/**
 * Starts, runs, cancels and confirms sync tasks. One task per connection at a time across every API
 * instance (a lease in Cosmos); the task document is the shared truth the tab, the bot and other
 * instances read.
 */
export class SyncService {
  private readonly leases: Leases;
  private readonly running = new Set<Promise<void>>();
  /** Ids of the tasks this instance is executing, so it never resumes its own work twice. */
  private readonly active = new Set<string>();
  private stopping = false;
  private readonly owner: string;
  private readonly now: () => Date;
  private push: PushDecisions | undefined;

  constructor(private readonly deps: SyncServiceDeps) {
    this.owner = deps.instanceId ?? `instance-${randomUUID()}`;
    this.now = deps.now ?? (() => new Date());
    this.leases = new Leases(deps.store.leases, this.owner, () => this.now().getTime());
  }

  async startTask(tenantId: string, connectionId: string, request: StartRequest): Promise<StartResult> {
    const connection = await this.deps.store.connections.get(tenantId, connectionId);
    if (!connection)
      throw new SyncRequestError(404, {
        code: "not-found",
        message: `Connection ${connectionId} was not found`,
        remedy: "Reload the page and pick an existing connection.",
      });
    if (connection.kind === "scim")
      throw new SyncRequestError(409, {
        code: "push-connection",
        message: `Connection "${connection.name}" receives its changes from Entra's provisioning service`,
        remedy:
          "Start or restart provisioning in the Entra enterprise app; each provisioning cycle shows here as a task.",
      });
    if (connection.status === "inactive")
      throw new SyncRequestError(409, {
        code: "connection-inactive",
        message: `Connection "${connection.name}" is switched off`,
        remedy: "Reactivate the connection first.",
      });
    if (connection.status === "needs-reauth")
      throw new SyncRequestError(409, {
        code: "needs-reauth",
        message: `Connection "${connection.name}" needs to be reauthorized: ${connection.statusProblem?.message ?? "its credentials no longer work"}`,
        remedy: connection.statusProblem?.remedy ?? "Reauthorize the connection, then sync again.",
      });
    const taskId = randomUUID();
    const claim = await this.leases.acquire(tenantId, leaseId(connectionId), this.leaseMs, taskId);
    if (!claim.acquired) {
      const holder = claim.holder.taskId
        ? await this.deps.store.tasks.get(tenantId, claim.holder.taskId)
        : undefined;
      if (holder) return { alreadyRunning: holder };
      // No task holds it: the connection is being deleted (or a task is being set up this very moment).
      throw new SyncRequestError(409, {
        code: "already-running",
        message: `A sync or a deletion of "${connection.name}" is in progress`,
        remedy: "Wait a moment and reload; a deleted connection disappears from the list.",
      });
    }
    // Read again under the lease: a deletion holds the same lease, so what is read now stays until the task ends.
    const current = await this.deps.store.connections.get(tenantId, connectionId);
    if (current?.type !== "connection") {
      await this.leases.release(claim.lease).catch(() => undefined);
      throw new SyncRequestError(404, {
        code: "not-found",
        message: `Connection "${connection.name}" was deleted`,
        remedy: "Reload the page and pick an existing connection.",
      });
    }
    const task = await this.deps.store.tasks.create(newTask(taskId, current, request, this.now()));
    this.spawn(task, current, claim.lease);
    return { task };
  }

  /** Where confirmations and cancellations of halted push (SCIM) tasks go. */
  setPushDecisions(push: PushDecisions): void {
    this.push = push;
  }

  async cancelTask(tenantId: string, taskId: string, actor: Actor): Promise<TaskDoc> {
    const cancelled = await this.deps.store.tasks.update(tenantId, taskId, (task) => {
      if (task.status === "halted" || task.status === "queued")
        return {
          ...task,
          status: "cancelled",
          finishedAt: this.now().toISOString(),
          notes: [...task.notes, `Cancelled by ${actor.name}.`],
        };
      if (task.status === "running")
        return {
          ...task,
          cancelRequested: true,
          notes: [...task.notes, `Cancel requested by ${actor.name}.`],
        };
      throw new SyncRequestError(409, {
        code: "not-cancellable",
        message: `This task has already ${task.status}`,
        remedy: "Nothing to cancel.",
      });
    });
    if (cancelled.status === "cancelled" && cancelled.trigger === "scim")
      await this.push?.discard(cancelled, actor);
    // A halted or queued task ends here, not in finish(): the connection's last task must say so too, or
    // status keeps showing "halted" after the admin decided.
    if (cancelled.status === "cancelled")
      await this.deps.store.connections
        .update(tenantId, cancelled.connectionId, (c) =>
          c.lastTask?.id === cancelled.id || !c.lastTask
            ? {
                ...c,
                lastTask: {
                  id: cancelled.id,
                  type: cancelled.taskType,
                  status: cancelled.status,
                  ...(cancelled.finishedAt ? { finishedAt: cancelled.finishedAt } : {}),
                },
              }
            : c,
        )
        .catch(() => undefined);
    return cancelled;
  }

  /** An admin accepts a halted task's removals: the task runs again and may remove up to that many. */
  async confirmTask(tenantId: string, taskId: string, actor: Actor): Promise<TaskDoc> {
    const task = await this.deps.store.tasks.require(tenantId, taskId);
    if (task.trigger === "scim" && task.status === "halted" && this.push)
      return this.push.confirm(task, actor);
    if (task.status !== "halted" || !task.halt)
      throw new SyncRequestError(409, {
        code: "not-halted",
        message: `This task is ${task.status}, not waiting for confirmation`,
        remedy: "Only a task halted by the deletion guard can be confirmed.",
      });
    const connection = await this.deps.store.connections.require(tenantId, task.connectionId);
    if (connection.status === "inactive" || connection.status === "needs-reauth")
      throw new SyncRequestError(409, {
        code: connection.status === "inactive" ? "connection-inactive" : "needs-reauth",
        message: `Connection "${connection.name}" is ${connection.status === "inactive" ? "switched off" : "waiting for reauthorization"}, so nothing is removed now`,
        remedy: "Reactivate or reauthorize the connection, then sync again.",
      });
    const claim = await this.leases.acquire(tenantId, leaseId(task.connectionId), this.leaseMs, taskId);
    if (!claim.acquired)
      throw new SyncRequestError(409, {
        code: "already-running",
        message: "Another sync of this connection is running",
        remedy: "Wait for it to finish, then confirm again.",
      });
    const removals = task.halt.wouldDelete + task.halt.wouldDeactivate;
    let confirmed: TaskDoc;
    try {
      // Read again under the lease, as when starting: a connection deleted meanwhile gets no run.
      if ((await this.deps.store.connections.get(tenantId, task.connectionId))?.type !== "connection")
        throw new SyncRequestError(404, {
          code: "not-found",
          message: `Connection "${connection.name}" was deleted`,
          remedy: "Nothing to confirm.",
        });
      // Checked again inside the write: a cancel that came first wins over this confirmation.
      confirmed = await this.deps.store.tasks.update(tenantId, taskId, (t) => {
        if (t.status !== "halted")
          throw new SyncRequestError(409, {
            code: "not-halted",
            message: `This task was ${t.status} meanwhile`,
            remedy: "Nothing to confirm; sync again if needed.",
          });
        return {
          ...t,
          status: "queued",
          confirmedRemovals: removals,
          confirmedBy: actor,
          notes: [...t.notes, `${actor.name} confirmed ${removals} removals.`],
        };
      });
    } catch (err) {
      await this.leases.release(claim.lease).catch(() => undefined);
      throw err;
    }
    this.spawn(confirmed, connection, claim.lease);
    return confirmed;
  }

  /**
   * Picks up tasks whose worker stopped (crashed, killed, redeployed): their lease has expired, so this
   * instance takes it over and runs the task again. Work the task already applied is recognised by its
   * task id and counted from its records, so the result is the same as an uninterrupted run.
   */
  async resumeOrphans(): Promise<number> {
    let resumed = 0;
    let queued = 0;
    for await (const page of this.deps.store.tasks.streamAllTenants({
      // A push cycle (trigger scim) is not a run to resume: its SCIM client drives it and api/scim closes it.
      where: "c.type = 'task' AND (c.status = 'running' OR c.status = 'queued') AND c.trigger != 'scim'",
    })) {
      for (const task of page) {
        if (task.status === "queued") queued++;
        if (this.stopping || this.active.has(task.id)) continue;
        const claim = await this.leases.acquire(
          task.tenantId,
          leaseId(task.connectionId),
          this.leaseMs,
          task.id,
        );
        if (!claim.acquired) continue;
        const connection = await this.deps.store.connections.get(task.tenantId, task.connectionId);
        if (!connection) {
          await this.leases.release(claim.lease);
          continue;
        }
        const noted = await this.deps.store.tasks.update(task.tenantId, task.id, (t) => ({
          ...t,
          notes: [...t.notes, `Resumed by ${this.owner} after the previous worker stopped.`],
        }));
        this.spawn(noted, connection, claim.lease);
        resumed++;
      }
    }
    observeQueueDepth(queued);
    return resumed;
  }

  /**
   * Graceful shutdown: running tasks stop at their next checkpoint, go back to the queue and give up their
   * lease, so another instance resumes them at once instead of after the lease expires.
   */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  /** Resolves when every task this instance started has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private get leaseMs() {
    return this.deps.leaseMs ?? LEASE_MS;
  }

  private spawn(task: TaskDoc, connection: ConnectionDoc, lease: LeaseDoc): void {
    this.active.add(task.id);
    const run: Promise<void> = traceTask(task, () => this.execute(task, connection, lease))
      .then(() => undefined)
      .catch((err) => this.deps.logger.error({ err, taskId: task.id }, "sync task crashed"))
      .finally(() => {
        this.running.delete(run);
        this.active.delete(task.id);
      });
    this.running.add(run);
  }

  /** Runs a task to its end; undefined when it was cancelled before it ran or handed back at a shutdown. */
  private async execute(
    queued: TaskDoc,
    connection: ConnectionDoc,
    initialLease: LeaseDoc,
  ): Promise<TaskDoc | undefined> {
    const { store } = this.deps;
    let lease = initialLease;
    const renewal = setInterval(() => {
      this.leases
        .renew(lease, this.leaseMs)
        .then((renewed) => {
          lease = renewed;
        })
        .catch((err) => this.deps.logger.warn({ err, taskId: queued.id }, "lease renewal failed"));
    }, this.leaseMs / 3);
    renewal.unref();
    const rerun = queued.confirmedRemovals !== undefined || queued.startedAt !== undefined;
    let task = await store.tasks.update(queued.tenantId, queued.id, (t) =>
      t.status === "cancelled"
        ? undefined
        : {
            ...t,
            status: "running",
            startedAt: t.startedAt ?? this.now().toISOString(),
            counters: { users: emptyCounters(), lists: emptyCounters() },
            progress: { phase: "starting", processed: 0 },
            heartbeatAt: this.now().toISOString(),
          },
    );
    if (task.status === "cancelled") {
      // Cancelled before this worker picked it up.
      clearInterval(renewal);
      await this.leases.release(lease).catch(() => undefined);
      return undefined;
    }
    let outcome: RunOutcome;
    let graphStats: GraphApi["stats"] | undefined;
    let stopWatch = () => {};
    const opsBefore = store.metrics.operations;
    try {
      await this.deps.beforeRun?.(connection);
      const graph = await this.deps.graphFor(connection);
      graphStats = graph.stats;
      stopWatch = watchThrottling(store, task, graph.stats, this.now);
      const reporter = new TaskReporter(store, task, this.now, () => this.stopping);
      const defined = await store.attributeDefinitions.all(connection.tenantId, { select: "c.name" });
      outcome = await runSync({
        store,
        graph,
        reporter,
        connection,
        settings: syncSettingsSchema.parse(connection.settings),
        definedAttributes: new Set(defined.map((d) => d.name)),
        preview: task.taskType === "preview",
        taskId: task.id,
        now: this.now,
        ...(this.deps.feed ? { feed: this.deps.feed } : {}),
      });
      task = reporter.task;
      if (rerun) task.counters = await recountFromRecords(store, task, task.counters);
    } catch (err) {
      if (err instanceof TaskInterrupted) {
        clearInterval(renewal);
        await store.tasks.update(task.tenantId, task.id, (t) => ({
          ...t,
          status: "queued",
          notes: [...t.notes, `Interrupted by a shutdown of ${this.owner}; it resumes on the next instance.`],
        }));
        await this.leases.release(lease).catch(() => undefined);
        return undefined;
      }
      if (isStoreError(err, "unavailable")) {
        this.deps.logger.warn({ err, taskId: task.id }, "sync stopped: database unavailable");
        outcome = {
          status: "failed",
          error: {
            code: "store-unavailable",
            message:
              "The sync stopped because the product's database stayed busy or unreachable; nothing was deleted.",
            remedy:
              "Retry in a few minutes; the task's details list what it wrote before it stopped. If it keeps happening, check the Cosmos DB account's health and throughput.",
          },
        };
      } else if (!isDirectoryProblem(err)) {
        this.deps.logger.error({ err, taskId: task.id }, "sync failed unexpectedly");
        outcome = {
          status: "failed",
          error: {
            code: "internal",
            message: "The sync stopped because of an unexpected error.",
            remedy:
              "Retry; the task's details list each record it handled before it stopped. If it happens again, contact support with the task id.",
          },
        };
      } else outcome = { status: "failed", error: err.toProblem(), cause: err };
    } finally {
      clearInterval(renewal);
      stopWatch();
      // The run's last events are visible to every reader by the time the task shows as finished.
      await this.deps.feed?.sequencer.closeWritten(connection.tenantId).catch(() => undefined);
    }
    const throttled = graphStats?.throttled ?? 0;
    if (throttled > 0) task.notes = mergeNotes(task.notes, [throttledNote(throttled)]);
    if (
      outcome.status === "failed" &&
      outcome.cause &&
      ["auth-lost", "consent-missing"].includes(outcome.cause.kind)
    )
      await this.deps.onCredentialProblem?.(connection, outcome.cause);
    const finished = await this.finish(
      task,
      outcome,
      graphStats?.requests,
      store.metrics.operations - opsBefore,
    );
    await this.leases.release(lease).catch(() => undefined);
    await this.announce(finished, connection);
    return finished;
  }

  private async finish(
    task: TaskDoc,
    outcome: RunOutcome,
    graphRequests = 0,
    storeOperations = 0,
  ): Promise<TaskDoc> {
    const finishedAt = this.now().toISOString();
    const final = await this.deps.store.tasks.update(task.tenantId, task.id, (current) => ({
      ...current,
      status: outcome.status,
      finishedAt,
      counters: task.counters,
      notes: mergeNotes(current.notes, task.notes),
      progress: { ...task.progress, phase: outcome.status },
      graphRequests,
      storeOperations,
      ...(outcome.status === "failed" ? { error: outcome.error } : {}),
      ...(outcome.status === "halted" ? { halt: outcome.halt } : {}),
      cancelRequested: false,
    }));
    await this.deps.store.connections
      .update(task.tenantId, task.connectionId, (c) => ({
        ...c,
        lastTask: { id: final.id, type: final.taskType, status: final.status, finishedAt },
      }))
      .catch(() => undefined);
    return final;
  }

  /** Whether the connection's previous run failed with the same error code (connection is as read at start). */
  private async failedBefore(task: TaskDoc, connection: ConnectionDoc): Promise<boolean> {
    const previous = connection.lastTask;
    if (previous?.status !== "failed" || previous.id === task.id || !task.error) return false;
    const before = await this.deps.store.tasks.get(task.tenantId, previous.id);
    return before?.error?.code === task.error.code;
  }

  private async announce(task: TaskDoc, connection: ConnectionDoc): Promise<void> {
    const kind =
      task.status === "succeeded"
        ? "sync-finished"
        : task.status === "halted"
          ? "sync-halted"
          : task.status === "failed"
            ? "sync-failed"
            : undefined;
    if (!kind) return;
    // The admin was told when this cause first failed a run; the scheduler now retries at growing
    // intervals, and saying the same thing at every retry would teach people to ignore the channel.
    if (kind === "sync-failed" && (await this.failedBefore(task, connection))) {
      this.deps.logger.info(
        { tenantId: task.tenantId, taskId: task.id, code: task.error?.code },
        "sync failed again for the same cause; not announced again",
      );
      return;
    }
    await this.deps.events.emit({
      tenantId: task.tenantId,
      kind,
      connectionId: connection.id,
      taskId: task.id,
      summary: summarize(task),
      ...(task.error ? { problem: task.error } : {}),
    });
  }
}

export const leaseId = (connectionId: string) => `sync.${connectionId}`;

function newTask(id: string, connection: ConnectionDoc, request: StartRequest, now: Date): TaskDoc {
  return {
    id,
    tenantId: connection.tenantId,
    type: "task",
    connectionId: connection.id,
    connectionName: connection.name,
    taskType: request.type,
    trigger: request.trigger,
    requestedBy: request.requestedBy,
    status: "queued",
    createdAt: now.toISOString(),
    progress: { phase: "queued", processed: 0 },
    counters: { users: emptyCounters(), lists: emptyCounters() },
    notes: [],
  };
}
