import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.ts";
import type {
  DirectoryEventDoc,
  DirectoryEventPackDoc,
  PackedEvent,
  SequenceReservation,
} from "../store/documents.ts";
import type { TenantRepository } from "../store/repository.ts";
import type { Store } from "../store/store.ts";
import { eventDoc, type PackHeader, packEvents } from "./event-packs.ts";
import type { FeedSequencer } from "./sequencer.ts";

/** Earlier documents converted per round: a few packs' worth, so a round's writes stay small. */
const CONVERT_PAGE = 500;
/** How long a converting process holds its claim between rounds; another may take over after it. */
const CLAIM_MS = 120_000;

/**
 * Events a deployment wrote before the feed packed them: one document per event, in the same container as
 * the packs. They are converted into packs once per tenant (with their sequence numbers and ids unchanged,
 * so consumers' cursors and webhook deliveries keep working); until then readers see them beside the packs.
 * Each round writes its packs before it deletes the documents they replace, so a reader (which reads the
 * documents before the packs) may see an event twice, which it drops, but never misses one.
 */
export class LegacyEvents {
  private readonly documents: TenantRepository<DirectoryEventDoc>;

  constructor(
    private readonly store: Store,
    private readonly sequencer: FeedSequencer,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    // The container holds both shapes; these queries and reads ask only for the earlier one.
    this.documents = store.directoryEvents as unknown as TenantRepository<DirectoryEventDoc>;
  }

  /**
   * Converts the tenant's earlier event documents into packs, unless another process is doing it. Answers
   * whether every event of the tenant is now packed.
   */
  async convert(tenantId: string): Promise<boolean> {
    const state = await this.sequencer.state(tenantId);
    if (state.eventsPacked) return true;
    const owner = randomUUID();
    const claim = () => this.sequencer.claimPacking(tenantId, owner, this.now() + CLAIM_MS);
    if (!(await claim())) return false;
    let after = 0;
    let kept = 0;
    for (;;) {
      const page = await this.documents.page(
        tenantId,
        {
          where: "c.type = 'directoryEvent' AND c.seq > @after",
          parameters: [{ name: "@after", value: after }],
          orderBy: "c.seq ASC",
        },
        { pageSize: CONVERT_PAGE },
      );
      const last = page.items.at(-1);
      if (!last) break;
      after = last.seq;
      const wellFormed = page.items.filter(isWellFormed);
      kept += this.report(
        tenantId,
        page.items.filter((doc) => !isWellFormed(doc)),
      );
      await this.packRound(tenantId, wellFormed, state.open);
      if (!(await claim())) return false;
    }
    // A document without a numeric sequence number never matches the query above: it is only reported.
    kept += this.report(
      tenantId,
      await this.documents.all(tenantId, { where: "c.type = 'directoryEvent' AND NOT IS_NUMBER(c.seq)" }),
    );
    if (kept > 0)
      this.logger.warn({ tenantId, kept }, "change feed: earlier event documents kept unconverted");
    return this.sequencer.finishPacking(tenantId, owner);
  }

  /** Packs one round's documents (skipping events an interrupted round packed already), then deletes them. */
  private async packRound(
    tenantId: string,
    docs: DirectoryEventDoc[],
    open: SequenceReservation[],
  ): Promise<void> {
    const first = docs[0];
    const last = docs.at(-1);
    if (!first || !last) return;
    const packed = new Set<number>();
    for (const pack of await this.store.directoryEvents.all(tenantId, {
      where: "c.type = 'directoryEventPack' AND c.lastSeq >= @first AND c.firstSeq <= @last",
      parameters: [
        { name: "@first", value: first.seq },
        { name: "@last", value: last.seq },
      ],
    }))
      for (const event of pack.events) packed.add(event.seq);
    const packs = packRuns(
      docs.filter((doc) => !packed.has(doc.seq)),
      open,
    );
    if (packs.length > 0) await this.store.directoryEvents.bulkUpsert(packs);
    await this.store.directoryEvents.bulkDelete(
      tenantId,
      docs.map((doc) => doc.id),
    );
  }

  private report(tenantId: string, malformed: DirectoryEventDoc[]): number {
    for (const doc of malformed)
      this.logger.warn(
        { tenantId, documentId: doc.id, seq: doc.seq },
        "change feed: an earlier event document is malformed; kept in directoryEvents and not delivered",
      );
    return malformed.length;
  }

  /** The tenant's unconverted events after `after`, up to the horizon, in order: at most `limit`. */
  async read(
    tenantId: string,
    query: { after: number; horizon: number; types?: Set<string>; limit: number },
  ): Promise<DirectoryEventDoc[]> {
    const where = ["c.type = 'directoryEvent'", "c.seq > @after", "c.seq <= @horizon"];
    const parameters: { name: string; value: number | string[] }[] = [
      { name: "@after", value: query.after },
      { name: "@horizon", value: query.horizon },
    ];
    if (query.types) {
      where.push("ARRAY_CONTAINS(@types, c.eventType)");
      parameters.push({ name: "@types", value: [...query.types] });
    }
    const events: DirectoryEventDoc[] = [];
    // Query pages may come back short: the reader merges these with packs, so it needs all `limit` of them.
    for await (const docs of this.documents.stream(
      tenantId,
      { where: where.join(" AND "), parameters, orderBy: "c.seq ASC" },
      query.limit,
    ))
      for (const doc of docs) {
        if (!isWellFormed(doc)) continue;
        events.push(withoutSystemFields(doc));
        if (events.length === query.limit) return events;
      }
    return events;
  }

  /** Unconverted events by id (an event's document had the event's id). */
  async byIds(tenantId: string, ids: string[]): Promise<DirectoryEventDoc[]> {
    const found = await this.documents.readMany(tenantId, ids);
    return [...found.values()]
      .filter((doc) => doc.type === "directoryEvent" && isWellFormed(doc))
      .map(withoutSystemFields);
  }

  /** How many unconverted events the tenant has. */
  count(tenantId: string): Promise<number> {
    return this.documents.count(tenantId, { where: "c.type = 'directoryEvent'" });
  }
}

/**
 * Consecutive events of one written block share their time, cause and expiry, which a pack holds once; a
 * block still open keeps packs of its own, so settling it finds them within its range.
 */
function packRuns(docs: DirectoryEventDoc[], open: SequenceReservation[]): DirectoryEventPackDoc[] {
  const packs: DirectoryEventPackDoc[] = [];
  let run: DirectoryEventDoc[] = [];
  let runKey = "";
  const flush = () => {
    const head = run[0];
    if (head) packs.push(...packEvents(headerOf(head), run.map(packedEvent)));
    run = [];
  };
  for (const doc of docs) {
    const block = open.find((r) => doc.seq >= r.from && doc.seq <= r.to)?.id ?? "";
    const key = JSON.stringify([doc.occurredAt, doc.cause, doc.expiresAt, block]);
    if (key !== runKey) flush();
    runKey = key;
    run.push(doc);
  }
  flush();
  return packs;
}

function headerOf(doc: DirectoryEventDoc): PackHeader {
  return { tenantId: doc.tenantId, occurredAt: doc.occurredAt, cause: doc.cause, expiresAt: doc.expiresAt };
}

function packedEvent(doc: DirectoryEventDoc): PackedEvent {
  return {
    id: doc.id,
    seq: doc.seq,
    eventType: doc.eventType,
    ...(doc.connectionId ? { connectionId: doc.connectionId } : {}),
    object: doc.object,
    data: doc.data,
    ...(doc.changes ? { changes: doc.changes } : {}),
    ...(doc.expect ? { expect: doc.expect } : {}),
  };
}

/** The event as a pack would give it back, so a reader cannot tell where it was stored. */
function withoutSystemFields(doc: DirectoryEventDoc): DirectoryEventDoc {
  return eventDoc(headerOf(doc), packedEvent(doc));
}

/** What a reader needs of an event; a document lacking any of it is reported and kept, never guessed at. */
function isWellFormed(doc: DirectoryEventDoc): boolean {
  const d = doc as Partial<Record<keyof DirectoryEventDoc, unknown>>;
  const object = d.object as { kind?: unknown; id?: unknown } | undefined;
  return (
    typeof d.id === "string" &&
    Number.isSafeInteger(d.seq) &&
    (d.seq as number) > 0 &&
    typeof d.eventType === "string" &&
    typeof d.occurredAt === "string" &&
    typeof d.expiresAt === "string" &&
    typeof object?.kind === "string" &&
    typeof object.id === "string" &&
    isRecord(d.data) &&
    isRecord(d.cause)
  );
}

function isRecord(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
