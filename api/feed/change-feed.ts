import { createHash, randomUUID } from "node:crypto";
import type { TaskTrigger } from "../domain/tasks.ts";
import type {
  DirectoryEventDoc,
  DirectoryEventType,
  EventExpectation,
  FeedStateDoc,
  SequenceReservation,
} from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { FeedSequencer } from "./sequencer.ts";

/** A change about to be written, described as the event the feed will carry. */
export interface PlannedEvent {
  eventType: DirectoryEventType;
  object: DirectoryEventDoc["object"];
  data: Record<string, unknown>;
  changes?: DirectoryEventDoc["changes"];
  connectionId?: string;
  /** How to tell afterwards whether the change landed (see `settle`). */
  expect?: Omit<EventExpectation, "present"> & { present: boolean };
  /** The document written with this change: it carries the event's sequence number as `changeSeq`. */
  doc?: { changeSeq?: number };
}

export interface FeedCause {
  taskId?: string;
  trigger?: TaskTrigger;
}

export class CursorExpired extends Error {
  constructor(readonly trimmedThrough: number) {
    super(`Events up to ${trimmedThrough} were removed by retention`);
  }
}

export interface FeedPage {
  events: DirectoryEventDoc[];
  /** The sequence number to continue after: the last event's, or the cursor given when nothing is new. */
  next: number;
  /** Whether more events are ready now (the page was full). */
  hasMore: boolean;
}

export interface ChangeFeedOptions {
  retentionDays: number;
  now?: () => number;
  reservationMs?: number;
}

const WRITE_CHUNK = 100;

/**
 * The directory's change feed. The sync engine describes each change it is about to write; this writes the
 * events first, under a reserved block of the tenant's sequence numbers, then lets the engine write its
 * documents (each stamped with its event's sequence number), then releases the block. Readers never see past
 * an open block. If the writer dies in between, the block is settled later (by the same task when it is
 * taken over, or by any reader once the block expired): each event is kept only if its document shows the
 * change landed (its `changeSeq` reached the event's, or it is gone for a removal), so the feed holds every
 * change that reached the directory, once, in order, and nothing that did not.
 */
export class ChangeFeed {
  readonly sequencer: FeedSequencer;
  private readonly now: () => number;
  private readonly settledOwners = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly options: ChangeFeedOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.sequencer = new FeedSequencer(store, this.now, options.reservationMs);
  }

  /**
   * Writes `events`, then runs `writeDocs` (which writes the documents the events describe), then makes the
   * events visible. `owner` names the writer: blocks a crashed attempt of the same owner left open are
   * settled before a new one is reserved.
   */
  async write(
    tenantId: string,
    owner: string,
    cause: FeedCause,
    events: PlannedEvent[],
    writeDocs: () => Promise<void>,
  ): Promise<void> {
    if (events.length === 0) return writeDocs();
    // Blocks of an earlier attempt of this owner can only predate this process's first write for it.
    const attempt = `${tenantId}/${owner}`;
    if (!this.settledOwners.has(attempt)) {
      await this.settleStale(tenantId, (r) => r.owner === owner);
      this.settledOwners.add(attempt);
      if (this.settledOwners.size > 10_000) this.settledOwners.clear();
    }
    const reservation = await this.sequencer.reserve(tenantId, events.length, owner);
    const occurredAt = new Date(this.now()).toISOString();
    const expiresAt = new Date(this.now() + this.options.retentionDays * 86_400_000).toISOString();
    const docs: DirectoryEventDoc[] = events.map((e, i) => {
      const seq = reservation.from + i;
      if (e.doc) e.doc.changeSeq = seq;
      return {
        id: eventId(tenantId, owner, e),
        tenantId,
        type: "directoryEvent",
        seq,
        eventType: e.eventType,
        occurredAt,
        ...(e.connectionId ? { connectionId: e.connectionId } : {}),
        object: e.object,
        data: e.data,
        ...(e.changes ? { changes: e.changes } : {}),
        cause: {
          ...(cause.taskId ? { taskId: cause.taskId } : {}),
          ...(cause.trigger ? { trigger: cause.trigger } : {}),
        },
        ...(e.expect ? { expect: e.expect } : {}),
        expiresAt,
      };
    });
    await this.store.directoryEvents.bulkUpsert(docs);
    try {
      await writeDocs();
    } catch (err) {
      // Some documents may have been written: keep exactly the events whose change landed.
      await this.settle(tenantId, reservation).catch(() => undefined);
      throw err;
    }
    await this.sequencer.release(tenantId, reservation.id);
  }

  /** Events that are not tied to a stored document (connection notices): visible at once. */
  async append(tenantId: string, cause: FeedCause, events: PlannedEvent[]): Promise<void> {
    await this.write(tenantId, `append:${randomUUID()}`, cause, events, async () => undefined);
  }

  /** Settles open blocks that match `which` or have expired. */
  async settleStale(
    tenantId: string,
    which: (r: SequenceReservation) => boolean = () => false,
  ): Promise<FeedStateDoc> {
    const state = await this.sequencer.state(tenantId);
    const stale = state.open.filter((r) => which(r) || this.sequencer.isExpired(r));
    for (const r of stale) await this.settle(tenantId, r);
    return stale.length > 0 ? this.sequencer.state(tenantId) : state;
  }

  /** Keeps the block's events whose change landed, removes the others, and closes the block. */
  async settle(tenantId: string, reservation: SequenceReservation): Promise<void> {
    const events = await this.store.directoryEvents.all(tenantId, {
      where: "c.seq >= @from AND c.seq <= @to",
      parameters: [
        { name: "@from", value: reservation.from },
        { name: "@to", value: reservation.to },
      ],
    });
    const landed = await this.landed(tenantId, events);
    const phantom = events.filter((e) => !landed.has(e.id)).map((e) => e.id);
    if (phantom.length > 0) await this.store.directoryEvents.bulkDelete(tenantId, phantom);
    await this.sequencer.release(tenantId, reservation.id);
  }

  private async landed(tenantId: string, events: DirectoryEventDoc[]): Promise<Set<string>> {
    const out = new Set<string>();
    const byContainer = new Map<EventExpectation["container"], DirectoryEventDoc[]>();
    for (const e of events) {
      if (!e.expect) out.add(e.id);
      else byContainer.set(e.expect.container, [...(byContainer.get(e.expect.container) ?? []), e]);
    }
    for (const [container, list] of byContainer) {
      for (let i = 0; i < list.length; i += WRITE_CHUNK) {
        const chunk = list.slice(i, i + WRITE_CHUNK);
        const repo = this.store[container] as unknown as {
          readMany(t: string, ids: string[]): Promise<Map<string, { changeSeq?: number }>>;
        };
        const found = await repo.readMany(
          tenantId,
          chunk.map((e) => e.expect?.id as string),
        );
        for (const e of chunk) {
          const doc = found.get(e.expect?.id as string);
          // A document changed by this event or a later one shows the change; a removal shows as absence.
          const ok = e.expect?.present
            ? (doc?.changeSeq ?? 0) >= e.seq
            : !doc || (doc.changeSeq ?? 0) > e.seq;
          if (ok) out.add(e.id);
        }
      }
    }
    return out;
  }

  /** The tenant's events after `after`, in order, up to the horizon. */
  async read(
    tenantId: string,
    query: { after: number; types?: DirectoryEventType[]; limit: number },
  ): Promise<FeedPage> {
    const state = await this.settleStale(tenantId);
    if (query.after < state.trimmedThrough) throw new CursorExpired(state.trimmedThrough);
    const horizon = FeedSequencer.horizonOf(state);
    const where = ["c.type = 'directoryEvent'", "c.seq > @after", "c.seq <= @horizon"];
    const parameters: { name: string; value: number | string[] }[] = [
      { name: "@after", value: query.after },
      { name: "@horizon", value: horizon },
    ];
    if (query.types && query.types.length > 0) {
      where.push("ARRAY_CONTAINS(@types, c.eventType)");
      parameters.push({ name: "@types", value: query.types });
    }
    const page = await this.store.directoryEvents.page(
      tenantId,
      { where: where.join(" AND "), parameters, orderBy: "c.seq ASC" },
      { pageSize: query.limit },
    );
    const last = page.items.at(-1);
    // With a type filter an empty page still moves the cursor to the horizon: nothing below it is pending.
    const next = last ? last.seq : Math.max(query.after, horizon);
    return { events: page.items, next, hasMore: page.items.length === query.limit };
  }

  /** The current horizon: a consumer starting now continues from here. */
  async horizon(tenantId: string): Promise<number> {
    return FeedSequencer.horizonOf(await this.settleStale(tenantId));
  }

  /** Removes events past retention, for every tenant; older cursors then answer 410. */
  async trimExpired(now = this.now()): Promise<number> {
    let removed = 0;
    for await (const page of this.store.directoryEvents.streamAllTenants({
      where: "c.expiresAt < @now",
      parameters: [{ name: "@now", value: new Date(now).toISOString() }],
      select: "c.id, c.tenantId, c.seq",
    })) {
      const byTenant = new Map<string, { ids: string[]; max: number }>();
      for (const e of page) {
        const entry = byTenant.get(e.tenantId) ?? { ids: [], max: 0 };
        entry.ids.push(e.id);
        entry.max = Math.max(entry.max, e.seq);
        byTenant.set(e.tenantId, entry);
      }
      for (const [tenantId, { ids, max }] of byTenant) {
        // Marked first: a cursor inside the removed range must never read a partial history.
        await this.sequencer.setTrimmedThrough(tenantId, max);
        await this.store.directoryEvents.bulkDelete(tenantId, ids);
        removed += ids.length;
      }
    }
    return removed;
  }
}

function eventId(tenantId: string, owner: string, e: PlannedEvent): string {
  const key = JSON.stringify([tenantId, owner, e.eventType, e.object.id, e.expect?.hash ?? null]);
  return `evt_${createHash("sha256").update(key).digest("base64url").slice(0, 26)}`;
}
