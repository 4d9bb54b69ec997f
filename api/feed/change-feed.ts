import { hash, randomUUID } from "node:crypto";
import type { DirectoryEventType } from "../domain/event-types.ts";
import type { TaskTrigger } from "../domain/tasks.ts";
import { createLogger, type Logger } from "../logger.ts";
import type {
  DirectoryEventDoc,
  DirectoryEventPackDoc,
  EventExpectation,
  FeedStateDoc,
  PackedEvent,
  SequenceReservation,
} from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { eventDoc, packEvents, packedEvents, unpack, withEvents } from "./event-packs.ts";
import { expectationOf, isUsual } from "./expectations.ts";
import { LegacyEvents } from "./legacy-events.ts";
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
  /** Where the conversion of earlier event documents reports the ones it keeps. */
  logger?: Logger;
}

const WRITE_CHUNK = 100;
/** Packs per query page when reading the feed: a full page of events usually spans a few of them. */
const PACKS_PER_PAGE = 10;

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
  private readonly legacy: LegacyEvents;
  private readonly logger: Logger;
  /** Tenants whose events this process saw all packed: no earlier event documents need reading. */
  private readonly packedTenants = new Set<string>();
  private readonly converting = new Map<string, Promise<boolean>>();

  constructor(
    private readonly store: Store,
    private readonly options: ChangeFeedOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.sequencer = new FeedSequencer(store, this.now, options.reservationMs);
    this.logger = options.logger ?? createLogger("warn");
    this.legacy = new LegacyEvents(store, this.sequencer, this.logger, this.now);
  }

  /**
   * Converts the tenant's events stored one per document (by a deployment from before packs) into packs,
   * once per process; answers whether all its events are packed. False while another process converts
   * them, or when converting failed (retried at the next call): readers then read both shapes.
   */
  async ensurePacked(tenantId: string): Promise<boolean> {
    if (this.packedTenants.has(tenantId)) return true;
    let run = this.converting.get(tenantId);
    if (!run) {
      run = this.legacy
        .convert(tenantId)
        .catch((err: unknown) => {
          this.logger.warn({ err, tenantId }, "change feed: converting earlier events failed");
          return false;
        })
        .finally(() => this.converting.delete(tenantId));
      this.converting.set(tenantId, run);
    }
    const packed = await run;
    if (packed) {
      if (this.packedTenants.size > 10_000) this.packedTenants.clear();
      this.packedTenants.add(tenantId);
    }
    return packed;
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
    const reservation = await this.writeBlock(tenantId, owner, cause, events, writeDocs);
    // Its writer's next batch usually follows within moments and closes it in the same request.
    this.sequencer.releaseSoon(tenantId, reservation.id);
  }

  /** Events that are not tied to a stored document (connection notices): visible at once. */
  async append(tenantId: string, cause: FeedCause, events: PlannedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const reservation = await this.writeBlock(
      tenantId,
      `append:${randomUUID()}`,
      cause,
      events,
      async () => undefined,
    );
    await this.sequencer.release(tenantId, reservation.id);
  }

  /** Writes the events and then the documents under a new block, which it leaves open. */
  private async writeBlock(
    tenantId: string,
    owner: string,
    cause: FeedCause,
    events: PlannedEvent[],
    writeDocs: () => Promise<void>,
  ): Promise<SequenceReservation> {
    // Blocks of an earlier attempt of this owner can only predate this process's first write for it.
    const attempt = `${tenantId}/${owner}`;
    if (!this.settledOwners.has(attempt)) {
      await this.settleStale(tenantId, (r) => r.owner === owner);
      this.settledOwners.add(attempt);
      if (this.settledOwners.size > 10_000) this.settledOwners.clear();
    }
    const reservation = await this.sequencer.reserve(tenantId, events.length, owner);
    const packed: PackedEvent[] = events.map((e, i) => {
      const seq = reservation.from + i;
      if (e.doc) e.doc.changeSeq = seq;
      return {
        id: eventId(tenantId, owner, e),
        seq,
        eventType: e.eventType,
        ...(e.connectionId ? { connectionId: e.connectionId } : {}),
        object: e.object,
        data: e.data,
        ...(e.changes ? { changes: e.changes } : {}),
        ...(e.expect && !isUsual(e.expect, e.object, e.eventType) ? { expect: e.expect } : {}),
      };
    });
    const header = {
      tenantId,
      occurredAt: new Date(this.now()).toISOString(),
      cause: {
        ...(cause.taskId ? { taskId: cause.taskId } : {}),
        ...(cause.trigger ? { trigger: cause.trigger } : {}),
      },
      expiresAt: new Date(this.now() + this.options.retentionDays * 86_400_000).toISOString(),
    };
    await this.store.directoryEvents.bulkUpsert(packEvents(header, lastOfEachId(packed)));
    try {
      await writeDocs();
    } catch (err) {
      // Some documents may have been written: keep exactly the events whose change landed.
      await this.settle(tenantId, reservation).catch(() => undefined);
      throw err;
    }
    return reservation;
  }

  /** Settles open blocks that match `which` or have expired. */
  async settleStale(
    tenantId: string,
    which: (r: SequenceReservation) => boolean = () => false,
  ): Promise<FeedStateDoc> {
    // An open block written before packs is settled from packs, so its events are converted first.
    await this.ensurePacked(tenantId);
    const state = await this.sequencer.state(tenantId);
    const stale = state.open.filter((r) => which(r) || this.sequencer.isExpired(r));
    for (const r of stale) await this.settle(tenantId, r);
    return stale.length > 0 ? this.sequencer.state(tenantId) : state;
  }

  /** Keeps the block's events whose change landed, removes the others, and closes the block. */
  async settle(tenantId: string, reservation: SequenceReservation): Promise<void> {
    const packs = await this.store.directoryEvents.all(tenantId, {
      where: "c.firstSeq >= @from AND c.lastSeq <= @to",
      parameters: [
        { name: "@from", value: reservation.from },
        { name: "@to", value: reservation.to },
      ],
    });
    // Decompressed once: the same events decide what landed and make up the packs that keep some.
    const events = new Map(packs.map((pack) => [pack, packedEvents(pack)]));
    const landed = await this.landed(
      tenantId,
      [...events].flatMap(([pack, all]) => all.map((e) => eventDoc(pack, e))),
    );
    const emptied: string[] = [];
    const shrunk: DirectoryEventPackDoc[] = [];
    for (const [pack, all] of events) {
      const kept = all.filter((e) => landed.has(e.id));
      if (kept.length === 0) emptied.push(pack.id);
      else if (kept.length < all.length) shrunk.push(withEvents(pack, kept));
    }
    if (shrunk.length > 0) await this.store.directoryEvents.bulkUpsert(shrunk);
    if (emptied.length > 0) await this.store.directoryEvents.bulkDelete(tenantId, emptied);
    await this.sequencer.release(tenantId, reservation.id);
  }

  private async landed(tenantId: string, events: DirectoryEventDoc[]): Promise<Set<string>> {
    const out = new Set<string>();
    const byContainer = new Map<
      EventExpectation["container"],
      { event: DirectoryEventDoc; expect: EventExpectation }[]
    >();
    for (const event of events) {
      const expect = expectationOf(event);
      if (!expect) out.add(event.id);
      else {
        const list = byContainer.get(expect.container) ?? [];
        list.push({ event, expect });
        byContainer.set(expect.container, list);
      }
    }
    for (const [container, list] of byContainer) {
      for (let i = 0; i < list.length; i += WRITE_CHUNK) {
        const chunk = list.slice(i, i + WRITE_CHUNK);
        const repo = this.store[container] as unknown as {
          readMany(t: string, ids: string[]): Promise<Map<string, { changeSeq?: number }>>;
        };
        const found = await repo.readMany(
          tenantId,
          chunk.map((c) => c.expect.id),
        );
        for (const { event, expect } of chunk) {
          const doc = found.get(expect.id);
          // A document changed by this event or a later one shows the change; a removal shows as absence.
          const ok = expect.present
            ? (doc?.changeSeq ?? 0) >= event.seq
            : !doc || (doc.changeSeq ?? 0) > event.seq;
          if (ok) out.add(event.id);
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
    const types = query.types && query.types.length > 0 ? new Set<string>(query.types) : undefined;
    // Read before the packs: an event converted meanwhile is then in the packs, so none is missed.
    const range = { after: query.after, horizon, limit: query.limit, ...(types ? { types } : {}) };
    const unconverted = this.packedTenants.has(tenantId) ? [] : await this.legacy.read(tenantId, range);
    const packed = await this.readPacks(tenantId, range);
    const events = inSeqOrder([...unconverted, ...packed]).slice(0, query.limit);
    const last = events.at(-1);
    // With a type filter an empty page still moves the cursor to the horizon: nothing below it is pending.
    const next = last ? last.seq : Math.max(query.after, horizon);
    return { events, next, hasMore: events.length === query.limit };
  }

  /** The packed events after `after`, in order, up to the horizon: at most `limit`. */
  private async readPacks(
    tenantId: string,
    query: { after: number; horizon: number; types?: Set<string>; limit: number },
  ): Promise<DirectoryEventDoc[]> {
    const { horizon, types } = query;
    // A pack lies wholly below the horizon or wholly above it: a block is closed all at once.
    const where = ["c.type = 'directoryEventPack'", "c.lastSeq > @after", "c.firstSeq <= @horizon"];
    const parameters: { name: string; value: number | string[] }[] = [
      { name: "@after", value: query.after },
      { name: "@horizon", value: horizon },
    ];
    if (types) {
      where.push("EXISTS(SELECT VALUE e FROM e IN c.events WHERE ARRAY_CONTAINS(@types, e.eventType))");
      parameters.push({ name: "@types", value: [...types] });
    }
    const events: DirectoryEventDoc[] = [];
    // A page may end inside a pack: the next page asks for it again from its cursor and skips what was read.
    reading: for await (const packs of this.store.directoryEvents.stream(
      tenantId,
      { where: where.join(" AND "), parameters, orderBy: "c.firstSeq ASC" },
      PACKS_PER_PAGE,
    ))
      for (const pack of packs)
        for (const event of unpack(pack)) {
          if (event.seq <= query.after || event.seq > horizon) continue;
          if (types && !types.has(event.eventType)) continue;
          events.push(event);
          if (events.length === query.limit) break reading;
        }
    return events;
  }

  /** Events by id, wherever they are in the feed (for webhook deliveries, which name their event). */
  async eventsById(tenantId: string, ids: string[]): Promise<Map<string, DirectoryEventDoc>> {
    const wanted = new Set(ids);
    const out = new Map<string, DirectoryEventDoc>();
    if (wanted.size === 0) return out;
    // Read before the packs, as in `read`; an event found in both is the same event.
    if (!(await this.ensurePacked(tenantId)))
      for (const event of await this.legacy.byIds(tenantId, [...wanted])) out.set(event.id, event);
    const packs = await this.store.directoryEvents.all(tenantId, {
      where: "EXISTS(SELECT VALUE e FROM e IN c.events WHERE ARRAY_CONTAINS(@ids, e.id))",
      parameters: [{ name: "@ids", value: [...wanted] }],
    });
    // Should one id stand in two packs, the later event is the one, as when a repeated id overwrote the earlier.
    for (const pack of packs)
      for (const event of unpack(pack))
        if (wanted.has(event.id) && (out.get(event.id)?.seq ?? -1) < event.seq) out.set(event.id, event);
    return out;
  }

  /** How many events the tenant's feed holds, visible or not. */
  async count(tenantId: string): Promise<number> {
    let total = (await this.ensurePacked(tenantId)) ? 0 : await this.legacy.count(tenantId);
    for await (const page of this.store.directoryEvents.stream(tenantId, {
      select: "VALUE ARRAY_LENGTH(c.events)",
    }))
      for (const n of page as unknown as number[]) total += n;
    return total;
  }

  /** The current horizon: a consumer starting now continues from here. */
  async horizon(tenantId: string): Promise<number> {
    return FeedSequencer.horizonOf(await this.settleStale(tenantId));
  }

  /**
   * Removes events past retention, for every tenant; older cursors then answer 410. The events of a pack
   * share their expiry (they were written together), so removing whole packs keeps each event's retention.
   */
  async trimExpired(now = this.now()): Promise<number> {
    let removed = 0;
    for await (const page of this.store.directoryEvents.streamAllTenants({
      where: "c.expiresAt < @now",
      parameters: [{ name: "@now", value: new Date(now).toISOString() }],
      select: "c.id, c.tenantId, c.lastSeq, ARRAY_LENGTH(c.events) AS events, c.seq",
    })) {
      const byTenant = new Map<string, { ids: string[]; max: number; events: number }>();
      for (const p of page as unknown as ExpiredPack[]) {
        // An event document from before packs holds one event; one without a sequence number is kept.
        const lastSeq = p.lastSeq ?? p.seq;
        if (typeof lastSeq !== "number") continue;
        const entry = byTenant.get(p.tenantId) ?? { ids: [], max: 0, events: 0 };
        entry.ids.push(p.id);
        entry.max = Math.max(entry.max, lastSeq);
        entry.events += p.events ?? 1;
        byTenant.set(p.tenantId, entry);
      }
      for (const [tenantId, { ids, max, events }] of byTenant) {
        // Marked first: a cursor inside the removed range must never read a partial history.
        await this.sequencer.setTrimmedThrough(tenantId, max);
        await this.store.directoryEvents.bulkDelete(tenantId, ids);
        removed += events;
      }
    }
    return removed;
  }
}

/** What retention needs of an expired pack, or of an event document from before packs (`seq`). */
interface ExpiredPack {
  id: string;
  tenantId: string;
  lastSeq?: number;
  /** How many events it holds. */
  events?: number;
  seq?: number;
}

/** Events by sequence number, each once: an event being converted may be read both unpacked and packed. */
function inSeqOrder(events: DirectoryEventDoc[]): DirectoryEventDoc[] {
  const bySeq = new Map<number, DirectoryEventDoc>();
  for (const event of events) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * One event per id, as when each event was its own document and a repeated id overwrote the earlier one:
 * the last one stays, at its place in the order.
 */
function lastOfEachId(events: PackedEvent[]): PackedEvent[] {
  const last = new Map(events.map((e, i) => [e.id, i]));
  return events.filter((e, i) => last.get(e.id) === i);
}

function eventId(tenantId: string, owner: string, e: PlannedEvent): string {
  const key = JSON.stringify([tenantId, owner, e.eventType, e.object.id, e.expect?.hash ?? null]);
  // The one-shot hash: the same digest without a Hash object per event (a full sync writes one per change).
  return `evt_${hash("sha256", key, "base64url").slice(0, 26)}`;
}
