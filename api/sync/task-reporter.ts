import type { RecordAction } from "../domain/records.ts";
import type { Counters } from "../domain/tasks.ts";
import type { TaskDoc, TaskRecordDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

export const emptyCounters = (): Counters => ({
  processed: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deactivated: 0,
  deleted: 0,
  restored: 0,
  skipped: 0,
  errors: 0,
});

const COUNTED: Partial<Record<RecordAction, keyof Counters>> = {
  created: "created",
  updated: "updated",
  unchanged: "unchanged",
  deactivated: "deactivated",
  deleted: "deleted",
  restored: "restored",
  skipped: "skipped",
  error: "errors",
};

export class TaskCancelled extends Error {
  constructor() {
    super("The task was cancelled");
  }
}

/** The instance is shutting down: the task goes back to the queue for another instance. */
export class TaskInterrupted extends Error {
  constructor() {
    super("The task was interrupted by a shutdown");
  }
}

export interface RecordInput {
  kind: "user" | "list";
  sourceId: string;
  name: string;
  email?: string;
  upn?: string;
  action: RecordAction;
  reason?: string;
  changedFields?: string[];
  changes?: TaskRecordDoc["changes"];
  members?: TaskRecordDoc["members"];
}

const RECORD_RETENTION_DAYS = 30;
const FLUSH_RECORDS_AT = 200;
const PROGRESS_EVERY_MS = 1000;

/**
 * Keeps a running task's document current (phase, processed/total, counters) without writing on every
 * record, buffers per-record details for bulk writes, and notices a cancel request between steps.
 */
export class TaskReporter {
  private records: TaskRecordDoc[] = [];
  /** Settles when every flush so far has ended (see flushRecords). */
  private flushed: Promise<void> = Promise.resolve();
  private lastFlush = 0;

  constructor(
    private readonly store: Store,
    public task: TaskDoc,
    private readonly now: () => Date = () => new Date(),
    private readonly stopping: () => boolean = () => false,
  ) {}

  record(input: RecordInput, count = true): void {
    const counters = this.task.counters[input.kind === "user" ? "users" : "lists"];
    if (count) {
      counters.processed += 1;
      const key = COUNTED[input.action];
      if (key) counters[key] += 1;
      this.task.progress.processed += 1;
    }
    if (input.action === "unchanged") return;
    const at = this.now();
    this.records.push({
      // Deterministic: a resumed or confirmed task rewrites its own record instead of adding a second one.
      id: `${this.task.id}.${input.kind}.${input.sourceId}`,
      tenantId: this.task.tenantId,
      type: "taskRecord",
      taskId: this.task.id,
      connectionId: this.task.connectionId,
      ...input,
      keys: [input.email, input.upn].flatMap((k) => (k ? [k.toLowerCase()] : [])),
      at: at.toISOString(),
      ttl: RECORD_RETENTION_DAYS * 86400,
      expiresAt: new Date(at.getTime() + RECORD_RETENTION_DAYS * 86400_000).toISOString(),
    });
  }

  /**
   * Items this task finished before a restart or confirmation: they count towards progress, so a resumed
   * task's bar still ends full, but not again towards the counters, which come from their records.
   */
  alreadyDone(items = 1): void {
    this.task.progress.processed += items;
  }

  /** Writes buffered records; call before the changes they describe are applied. */
  /**
   * Writes the records kept so far (when there are enough of them, or `force`). Resolves once they and every
   * earlier flush are written, so a caller that writes documents after it never gets ahead of their records,
   * even when another flush was already writing them.
   */
  flushRecords(force = false): Promise<void> {
    if (this.records.length === 0 || (!force && this.records.length < FLUSH_RECORDS_AT)) return this.flushed;
    const batch = this.records;
    this.records = [];
    const written = this.flushed.then(() => this.store.taskRecords.bulkUpsert(batch));
    this.flushed = written.catch(() => undefined);
    return written;
  }

  async phase(phase: string, total?: number): Promise<void> {
    this.task.progress = {
      phase,
      processed: this.task.progress.processed,
      ...(total !== undefined ? { total } : {}),
    };
    await this.save(true);
  }

  note(text: string): void {
    if (!this.task.notes.includes(text)) this.task.notes.push(text);
  }

  /** Persists progress (at most once a second unless forced) and stops if someone asked to cancel. */
  async save(force = false): Promise<void> {
    if (this.stopping()) {
      await this.flushRecords(true);
      throw new TaskInterrupted();
    }
    const nowMs = this.now().getTime();
    if (!force && nowMs - this.lastFlush < PROGRESS_EVERY_MS) return;
    this.lastFlush = nowMs;
    await this.flushRecords(true);
    const mine = this.task;
    const saved = await this.store.tasks.update(mine.tenantId, mine.id, (current) => ({
      ...current,
      progress: mine.progress,
      counters: mine.counters,
      notes: mergeNotes(current.notes, mine.notes),
      heartbeatAt: this.now().toISOString(),
      ...(mine.checkpoint ? { checkpoint: mine.checkpoint } : {}),
      ...(mine.graphRequests !== undefined ? { graphRequests: mine.graphRequests } : {}),
      ...(mine.storeOperations !== undefined ? { storeOperations: mine.storeOperations } : {}),
    }));
    this.task = { ...mine, _etag: saved._etag, cancelRequested: saved.cancelRequested };
    if (saved.cancelRequested) throw new TaskCancelled();
  }
}

/** Notes others added to the stored task (a cancel request, a confirmation) survive this run's own. */
export const mergeNotes = (stored: string[], mine: string[]) => [...new Set([...stored, ...mine])];
