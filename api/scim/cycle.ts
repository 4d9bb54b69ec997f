import { randomUUID } from "node:crypto";
import type { Counters } from "../domain/tasks.ts";
import type { EventBus } from "../events.ts";
import type { ConnectionDoc, ScimStateDoc, TaskDoc } from "../store/documents.ts";
import { isStoreError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";
import { summarize } from "../sync/summary.ts";
import { emptyCounters, mergeNotes, TaskReporter } from "../sync/task-reporter.ts";

export const scimStateId = (connectionId: string) => `scim.${connectionId}`;

/** Who a push cycle's task says asked for it. */
const PROVISIONING_ACTOR = { oid: "scim", name: "Entra provisioning service" };

/**
 * A reporter for one SCIM request inside a cycle: its counters start at zero and are added to the cycle's
 * task when the request ends (ScimCycles.commit), so concurrent requests never overwrite each other's.
 */
export class RequestReporter extends TaskReporter {
  override async save(): Promise<void> {
    await this.flushRecords(true);
  }

  override async phase(): Promise<void> {}
}

/** Adds `delta`'s counters, progress and notes to `into`. */
function merge(into: TaskDoc, delta: TaskDoc): void {
  into.counters = {
    users: addCounters(into.counters.users, delta.counters.users),
    lists: addCounters(into.counters.lists, delta.counters.lists),
  };
  into.progress = { ...into.progress, processed: into.progress.processed + delta.progress.processed };
  into.notes = mergeNotes(into.notes, delta.notes);
}

/** How long a joined cycle is taken as still running without reading it again. */
const JOINED_FOR_MS = 2_000;

/** A token's "last used" time is written at most this often per instance: the tab shows it to the minute. */
const USE_NOTED_EVERY_MS = 60_000;

const addCounters = (a: Counters, b: Counters): Counters =>
  Object.fromEntries(
    Object.entries(a).map(([k, v]) => [k, v + b[k as keyof Counters]]),
  ) as unknown as Counters;

/**
 * Entra provisions in cycles (every 40 minutes, or at once on demand) of many small requests. Requests are
 * grouped into one task (trigger `scim`) per cycle: a write more than `idleMs` after the previous one opens
 * a new task, and a cycle left idle that long is closed, announced like a finished pull.
 */
export class ScimCycles {
  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    readonly idleMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The cycle this instance last joined per connection, so back-to-back requests skip reading it again. */
  private readonly joined = new Map<string, { task: TaskDoc; tokenId: string; at: number }>();

  /** When this instance last wrote each token's use, so a burst of reads costs one write. */
  private readonly usesNoted = new Map<string, number>();

  /**
   * Records that a token was used, reads included: Entra's "Test Connection" only reads, and it is what tells
   * an admin whether the pasted token reached the product. Writes record it when they join their cycle.
   */
  async noteUse(connection: ConnectionDoc, tokenId: string): Promise<void> {
    const key = `${connection.id}/${tokenId}`;
    const at = this.now();
    if (at.getTime() - (this.usesNoted.get(key) ?? Number.NEGATIVE_INFINITY) < USE_NOTED_EVERY_MS) return;
    this.usesNoted.set(key, at.getTime());
    const iso = at.toISOString();
    const state = await this.store.scimState.get(connection.tenantId, scimStateId(connection.id));
    const next: ScimStateDoc = {
      ...(state ?? emptyState(connection)),
      tokenUsedAt: { ...(state?.tokenUsedAt ?? {}), [tokenId]: iso },
      updatedAt: iso,
    };
    // A concurrent request changed the state first: its own time is as good as this one.
    const raced = (err: unknown) => {
      if (!isStoreError(err, "precondition-failed") && !isStoreError(err, "conflict")) throw err;
    };
    if (state) await this.store.scimState.replace(next, { ifMatch: state._etag }).catch(raced);
    else await this.store.scimState.create(next).catch(raced);
  }

  /** Forgets the joined cycle of a connection (its task was halted or closed here). */
  forget(connectionId: string): void {
    this.joined.delete(connectionId);
  }

  /** The running cycle's task for a write, opening a new cycle when there is none or it went idle. */
  async taskFor(connection: ConnectionDoc, tokenId: string): Promise<TaskDoc> {
    const recent = this.joined.get(connection.id);
    const nowMs = this.now().getTime();
    // Within a second or two of this instance's last look, the cycle is still the one it saw.
    if (recent && recent.tokenId === tokenId && nowMs - recent.at < Math.min(JOINED_FOR_MS, this.idleMs / 2))
      return recent.task;
    const task = await this.openOrJoin(connection, tokenId);
    this.joined.set(connection.id, { task, tokenId, at: nowMs });
    return task;
  }

  private async openOrJoin(connection: ConnectionDoc, tokenId: string): Promise<TaskDoc> {
    for (let attempt = 1; ; attempt++) {
      const at = this.now();
      const state = await this.store.scimState.get(connection.tenantId, scimStateId(connection.id));
      const cycle = state?.cycle;
      if (cycle && at.getTime() - Date.parse(cycle.lastRequestAt) < this.idleMs) {
        const task = await this.store.tasks.get(connection.tenantId, cycle.taskId);
        if (task?.status === "running") {
          await this.touch(state, at, tokenId);
          return task;
        }
      }
      if (state?.cycle) await this.finish(connection.tenantId, state.cycle.taskId);
      const task = await this.store.tasks.create(newCycleTask(connection, at));
      const next: ScimStateDoc = {
        ...(state ?? emptyState(connection)),
        cycle: { taskId: task.id, startedAt: at.toISOString(), lastRequestAt: at.toISOString() },
        lastRequestAt: at.toISOString(),
        tokenUsedAt: { ...(state?.tokenUsedAt ?? {}), [tokenId]: at.toISOString() },
        updatedAt: at.toISOString(),
      };
      try {
        if (state) await this.store.scimState.replace(next, { ifMatch: state._etag });
        else await this.store.scimState.create(next);
        return task;
      } catch (err) {
        // Another request opened the cycle first: this one joins it.
        await this.store.tasks.delete(connection.tenantId, task.id).catch(() => undefined);
        const raced = isStoreError(err, "precondition-failed") || isStoreError(err, "conflict");
        if (!raced || attempt >= 10) throw err;
      }
    }
  }

  private async touch(state: ScimStateDoc, at: Date, tokenId: string): Promise<void> {
    const iso = at.toISOString();
    if (!state.cycle) return;
    // Concurrent requests touch the same document; when one wins, the others' times are as good as its.
    await this.store.scimState
      .replace(
        {
          ...state,
          cycle: { ...state.cycle, lastRequestAt: iso },
          lastRequestAt: iso,
          tokenUsedAt: { ...state.tokenUsedAt, [tokenId]: iso },
          updatedAt: iso,
        },
        { ifMatch: state._etag },
      )
      .catch((err) => {
        if (!isStoreError(err, "precondition-failed")) throw err;
      });
  }

  /** A reporter for one request's records and counters. */
  reporterFor(task: TaskDoc): RequestReporter {
    const blank: TaskDoc = {
      ...task,
      counters: { users: emptyCounters(), lists: emptyCounters() },
      progress: { phase: "provisioning", processed: 0 },
      notes: [],
    };
    return new RequestReporter(this.store, blank, this.now);
  }

  /** Counters of requests that ended, per task, not yet added to the stored task. */
  private readonly pending = new Map<string, { task: TaskDoc; flushed: Promise<void> }>();
  private readonly inFlight = new Map<string, Promise<void>>();

  /**
   * Adds one request's counters and notes to its cycle's task. Requests that end while a write of the
   * task is under way are added together in the next one: ten concurrent requests cost one or two task
   * writes, not ten that collide on the task's version.
   */
  async commit(reporter: RequestReporter): Promise<void> {
    await reporter.flushRecords(true);
    const mine = reporter.task;
    const touched =
      Object.values(mine.counters.users).some(Boolean) || Object.values(mine.counters.lists).some(Boolean);
    if (!touched && mine.notes.length === 0) return;
    const waiting = this.pending.get(mine.id);
    if (waiting) {
      merge(waiting.task, mine);
      return waiting.flushed;
    }
    const entry = { task: structuredClone(mine), flushed: Promise.resolve() };
    const previous = this.inFlight.get(mine.id) ?? Promise.resolve();
    entry.flushed = previous.then(async () => {
      this.pending.delete(mine.id);
      await this.store.tasks.update(
        entry.task.tenantId,
        entry.task.id,
        (current) => {
          merge(current, entry.task);
          return { ...current, heartbeatAt: this.now().toISOString() };
        },
        50,
      );
    });
    this.pending.set(mine.id, entry);
    const settled = entry.flushed.catch(() => undefined);
    this.inFlight.set(mine.id, settled);
    void settled.then(() => {
      if (this.inFlight.get(mine.id) === settled) this.inFlight.delete(mine.id);
    });
    return entry.flushed;
  }

  /** Closes every cycle idle for longer than `idleMs`, in every tenant (a timer calls it). */
  async closeIdle(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - this.idleMs).toISOString();
    let closed = 0;
    for await (const page of this.store.scimState.streamAllTenants({
      where: "c.type = 'scimState' AND IS_DEFINED(c.cycle) AND c.cycle.lastRequestAt < @cutoff",
      parameters: [{ name: "@cutoff", value: cutoff }],
    }))
      for (const state of page) {
        const taskId = state.cycle?.taskId;
        if (!taskId) continue;
        // Cleared first, guarded by the version read: a request that arrived meanwhile keeps its cycle open.
        const { cycle: _done, ...rest } = state;
        const cleared = await this.store.scimState
          .replace({ ...rest, updatedAt: this.now().toISOString() }, { ifMatch: state._etag })
          .then(() => true)
          .catch((err) => {
            if (isStoreError(err, "precondition-failed")) return false;
            throw err;
          });
        if (!cleared) continue;
        await this.finish(state.tenantId, taskId);
        closed++;
      }
    return closed;
  }

  /** Ends a cycle's task (unless the deletion guard halted it) and announces it as a pull's end is. */
  async finish(tenantId: string, taskId: string): Promise<void> {
    const finishedAt = this.now().toISOString();
    let ended = false;
    const task = await this.store.tasks.update(tenantId, taskId, (t) => {
      if (t.status !== "running") return undefined;
      ended = true;
      return { ...t, status: "succeeded", finishedAt, progress: { ...t.progress, phase: "succeeded" } };
    });
    this.forget(task.connectionId);
    if (!ended) return;
    await this.recordLastTask(task);
    await this.announceFinished(task);
  }

  /** Tells the bot, webhooks and the tab that a push task ended, with the words a finished pull gets. */
  async announceFinished(task: TaskDoc): Promise<void> {
    await this.events.emit({
      tenantId: task.tenantId,
      kind: "sync-finished",
      connectionId: task.connectionId,
      taskId: task.id,
      summary: summarize(task),
    });
  }

  async recordLastTask(task: TaskDoc): Promise<void> {
    await this.store.connections
      .update(task.tenantId, task.connectionId, (c) => ({
        ...c,
        lastTask: {
          id: task.id,
          type: task.taskType,
          status: task.status,
          ...(task.finishedAt ? { finishedAt: task.finishedAt } : {}),
        },
      }))
      .catch(() => undefined);
  }
}

export const emptyState = (connection: ConnectionDoc): ScimStateDoc => ({
  id: scimStateId(connection.id),
  tenantId: connection.tenantId,
  type: "scimState",
  connectionId: connection.id,
  tokenUsedAt: {},
  recentRemovals: [],
  updatedAt: new Date(0).toISOString(),
});

function newCycleTask(connection: ConnectionDoc, at: Date): TaskDoc {
  return {
    id: randomUUID(),
    tenantId: connection.tenantId,
    type: "task",
    connectionId: connection.id,
    connectionName: connection.name,
    taskType: "incremental",
    trigger: "scim",
    requestedBy: PROVISIONING_ACTOR,
    status: "running",
    createdAt: at.toISOString(),
    startedAt: at.toISOString(),
    progress: { phase: "provisioning", processed: 0 },
    counters: { users: emptyCounters(), lists: emptyCounters() },
    notes: [],
  };
}
