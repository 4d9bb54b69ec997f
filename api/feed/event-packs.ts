import type { DirectoryEventDoc, DirectoryEventPackDoc, PackedEvent } from "../store/documents.ts";

/**
 * Events per pack. A sync batch (100 changes) then fits one document, which is what makes the feed cheap:
 * each Cosmos write has a base cost, so writing one document per change cost as much as the change itself.
 */
const PACK_EVENTS = 100;
/**
 * Bytes of events per pack, well under Cosmos DB's 2 MB item limit. Events measured 0.7-1.2 KB in a generated
 * 1k tenant (a profile's full snapshot is the largest), so a full pack is about 70-120 KB; a batch of unusually
 * large objects (many extension attributes) spreads over more packs instead of failing.
 */
const PACK_BYTES = 512 * 1024;

/** The pack whose events start at `firstSeq`: unique, since a sequence number is reserved once. */
function packId(firstSeq: number): string {
  return `evp_${firstSeq}`;
}

/** What the events of one block share, stored once per pack. */
export type PackHeader = Pick<DirectoryEventPackDoc, "tenantId" | "occurredAt" | "cause" | "expiresAt">;

/**
 * Packs a block's events (in sequence order) into as few documents as the bounds allow. Each pack records
 * the range of sequence numbers it was given, which stays its range when settling removes events from it.
 */
export function packEvents(header: PackHeader, events: PackedEvent[]): DirectoryEventPackDoc[] {
  const packs: DirectoryEventPackDoc[] = [];
  let current: PackedEvent[] = [];
  let bytes = 0;
  const flush = () => {
    const first = current[0];
    const last = current.at(-1);
    if (!first || !last) return;
    packs.push(packOf(header, first.seq, last.seq, current));
    current = [];
    bytes = 0;
  };
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event));
    if (current.length >= PACK_EVENTS || (current.length > 0 && bytes + size > PACK_BYTES)) flush();
    current.push(event);
    bytes += size;
  }
  flush();
  return packs;
}

function packOf(
  header: PackHeader,
  firstSeq: number,
  lastSeq: number,
  events: PackedEvent[],
): DirectoryEventPackDoc {
  return { id: packId(firstSeq), type: "directoryEventPack", ...header, firstSeq, lastSeq, events };
}

/** The same pack holding only `events` (a subset of its own, in order). */
export function withEvents(pack: DirectoryEventPackDoc, events: PackedEvent[]): DirectoryEventPackDoc {
  const { _etag: _unused, ...rest } = pack;
  return { ...rest, events };
}

/** The pack's events in the shape every reader knows: one document per event, as the feed once stored them. */
export function unpack(pack: DirectoryEventPackDoc): DirectoryEventDoc[] {
  return pack.events.map((e) => ({
    id: e.id,
    tenantId: pack.tenantId,
    type: "directoryEvent",
    seq: e.seq,
    eventType: e.eventType,
    occurredAt: pack.occurredAt,
    ...(e.connectionId ? { connectionId: e.connectionId } : {}),
    object: e.object,
    data: e.data,
    ...(e.changes ? { changes: e.changes } : {}),
    cause: pack.cause,
    ...(e.expect ? { expect: e.expect } : {}),
    expiresAt: pack.expiresAt,
  }));
}
