import { deflateRawSync, inflateRawSync } from "node:zlib";
import type {
  DirectoryEventDoc,
  DirectoryEventPackDoc,
  PackedEvent,
  PackedEventKey,
} from "../store/documents.ts";

/**
 * Events per pack. A sync batch (100 changes) then fits one document, which is what makes the feed cheap:
 * each Cosmos write has a base cost, so writing one document per change cost as much as the change itself.
 */
const PACK_EVENTS = 100;
/**
 * Bytes of events per pack before compression, so that even incompressible events (base64 adds a third)
 * stay well under Cosmos DB's 2 MB item limit. Events measured 0.3-1.2 KB in a generated tenant (a
 * profile's full snapshot is the largest), so a batch of unusually large objects (many extension
 * attributes) spreads over more packs instead of failing.
 */
const PACK_BYTES = 512 * 1024;
/**
 * zlib's fastest level: packs are written on the sync's path, and the higher levels shrink a pack of
 * snapshots by a few more percent for two to three times the CPU.
 */
const DEFLATE_LEVEL = 1;

/** The pack whose events start at `firstSeq`: unique, since a sequence number is reserved once. */
function packId(firstSeq: number): string {
  return `evp_${firstSeq}`;
}

/** What the events of one block share, stored once per pack. */
export type PackHeader = Pick<DirectoryEventPackDoc, "tenantId" | "occurredAt" | "cause" | "expiresAt">;

/** An event ready to pack: its key, and the rest of it as JSON, serialised once for both size and body. */
interface Serialised {
  key: PackedEventKey;
  details: string;
}

/**
 * Packs a block's events (in sequence order) into as few documents as the bounds allow. Each pack records
 * the range of sequence numbers it was given, which stays its range when settling removes events from it.
 */
export function packEvents(header: PackHeader, events: PackedEvent[]): DirectoryEventPackDoc[] {
  const packs: DirectoryEventPackDoc[] = [];
  let current: Serialised[] = [];
  let bytes = 0;
  const flush = () => {
    const first = current[0];
    const last = current.at(-1);
    if (!first || !last) return;
    packs.push(packOf(header, first.key.seq, last.key.seq, current));
    current = [];
    bytes = 0;
  };
  for (const event of events) {
    const next = serialise(event);
    const size = Buffer.byteLength(next.details);
    if (current.length >= PACK_EVENTS || (current.length > 0 && bytes + size > PACK_BYTES)) flush();
    current.push(next);
    bytes += size;
  }
  flush();
  return packs;
}

function serialise(event: PackedEvent): Serialised {
  const { id, seq, eventType, ...details } = event;
  return { key: { id, seq, eventType }, details: JSON.stringify(details) };
}

function packOf(
  header: PackHeader,
  firstSeq: number,
  lastSeq: number,
  events: Serialised[],
): DirectoryEventPackDoc {
  const details = `[${events.map((e) => e.details).join(",")}]`;
  return {
    id: packId(firstSeq),
    type: "directoryEventPack",
    ...header,
    firstSeq,
    lastSeq,
    events: events.map((e) => e.key),
    deflated: deflateRawSync(details, { level: DEFLATE_LEVEL }).toString("base64"),
  };
}

/** The pack's events, whole: decompressed, or as a pack written before compression holds them. */
export function packedEvents(pack: DirectoryEventPackDoc): PackedEvent[] {
  if (pack.deflated === undefined) return pack.events as PackedEvent[];
  const details = JSON.parse(inflateRawSync(Buffer.from(pack.deflated, "base64")).toString()) as Omit<
    PackedEvent,
    keyof PackedEventKey
  >[];
  if (details.length !== pack.events.length)
    throw new Error(`event pack ${pack.id}: ${pack.events.length} events but ${details.length} details`);
  return pack.events.map((key, i) => ({ ...key, ...details[i] }) as PackedEvent);
}

/** The same pack, with its range, holding only `events` (a subset of its own, in order). */
export function withEvents(pack: DirectoryEventPackDoc, events: PackedEvent[]): DirectoryEventPackDoc {
  const { tenantId, occurredAt, cause, expiresAt } = pack;
  return packOf(
    { tenantId, occurredAt, cause, expiresAt },
    pack.firstSeq,
    pack.lastSeq,
    events.map(serialise),
  );
}

/** The pack's events in the shape every reader knows: one document per event, as the feed once stored them. */
export function unpack(pack: DirectoryEventPackDoc): DirectoryEventDoc[] {
  return packedEvents(pack).map((e) => eventDoc(pack, e));
}

/** One event as a document, with the fields its pack holds for the whole block. */
export function eventDoc(header: PackHeader, e: PackedEvent): DirectoryEventDoc {
  return {
    id: e.id,
    tenantId: header.tenantId,
    type: "directoryEvent",
    seq: e.seq,
    eventType: e.eventType,
    occurredAt: header.occurredAt,
    ...(e.connectionId ? { connectionId: e.connectionId } : {}),
    object: e.object,
    data: e.data,
    ...(e.changes ? { changes: e.changes } : {}),
    cause: header.cause,
    ...(e.expect ? { expect: e.expect } : {}),
    expiresAt: header.expiresAt,
  };
}
