import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeFeed, type PlannedEvent } from "../../api/feed/change-feed.ts";
import type { DirectoryEventDoc, ProfileDoc } from "../../api/store/documents.ts";
import { startTestStore } from "../support/stack.ts";

const MAX_PACK_BYTES = 512 * 1024;

/**
 * The feed stores each written block's events packed into few documents. Readers, settling, retention and
 * lookups by id must still see single events, in order, exactly as when each event was its own document.
 */
describe("change feed packs", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  let clock = Date.now();
  let feed: ChangeFeed;
  let tenant = 0;
  const nextTenant = () => `0000000${++tenant}-0000-4000-8000-000000000000`;

  beforeAll(async () => {
    stack = await startTestStore();
    feed = new ChangeFeed(stack.store, { retentionDays: 30, now: () => clock });
  });
  afterAll(() => stack?.close());

  const profileEvent = (i: number, extra: Record<string, unknown> = {}): PlannedEvent => ({
    eventType: i % 3 === 0 ? "profile.created" : "profile.updated",
    object: { kind: "profile", id: `p${i}` },
    data: { id: `p${i}`, displayName: `Person ${i}`, ...extra },
    doc: {},
  });
  const writeProfiles = async (tenantId: string, events: PlannedEvent[], which: (i: number) => boolean) => {
    const docs = events
      .filter((_, i) => which(i))
      .map((e) => ({ id: e.object.id, tenantId, type: "profile", changeSeq: e.doc?.changeSeq }));
    await stack.store.profiles.bulkUpsert(docs as unknown as ProfileDoc[]);
  };
  const readAll = async (tenantId: string, limit: number, types?: DirectoryEventDoc["eventType"][]) => {
    const events: DirectoryEventDoc[] = [];
    let after = 0;
    for (;;) {
      const page = await feed.read(tenantId, { after, limit, ...(types ? { types } : {}) });
      events.push(...page.events);
      after = page.next;
      if (!page.hasMore) break;
    }
    return events;
  };

  it("a block of 250 events takes three documents and reads back in order across page and pack edges", async () => {
    const T = nextTenant();
    const events = Array.from({ length: 250 }, (_, i) => profileEvent(i));
    await feed.write(T, "task-1", { taskId: "task-1", trigger: "manual" }, events, () =>
      writeProfiles(T, events, () => true),
    );
    await feed.sequencer.closeWritten(T);
    expect(await stack.store.directoryEvents.count(T)).toBe(3);
    expect(await feed.count(T)).toBe(250);

    const all = await readAll(T, 40);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(new Set(all.map((e) => e.id)).size).toBe(250);
    expect(all[0]).toMatchObject({
      tenantId: T,
      type: "directoryEvent",
      eventType: "profile.created",
      object: { kind: "profile", id: "p0" },
      cause: { taskId: "task-1", trigger: "manual" },
    });
    // A type filter pages through the packs too, and its last page moves the cursor to the horizon.
    const created = await readAll(T, 30, ["profile.created"]);
    expect(created.map((e) => e.object.id)).toEqual(
      all.filter((e) => e.eventType === "profile.created").map((e) => e.object.id),
    );
    const end = await feed.read(T, {
      after: created.at(-1)?.seq ?? 0,
      limit: 30,
      types: ["profile.created"],
    });
    expect(end).toMatchObject({ events: [], next: 250, hasMore: false });

    // Webhook deliveries name single events: found by id wherever their pack is.
    const wanted = [all[3], all[120], all[249]].map((e) => e?.id as string);
    const found = await feed.eventsById(T, [...wanted, "evt_missing"]);
    expect([...found.keys()].sort()).toEqual([...wanted].sort());
    expect(found.get(all[120]?.id as string)).toEqual(all[120]);
  });

  it("large events spread over more packs, each well under Cosmos' item limit", async () => {
    const T = nextTenant();
    const events = Array.from({ length: 60 }, (_, i) => profileEvent(i, { notes: "x".repeat(40_000) }));
    await feed.write(T, "task-2", {}, events, () => writeProfiles(T, events, () => true));
    await feed.sequencer.closeWritten(T);
    const packs = await stack.store.directoryEvents.all(T);
    expect(packs.length).toBeGreaterThan(1);
    for (const pack of packs)
      expect(Buffer.byteLength(JSON.stringify(pack))).toBeLessThan(MAX_PACK_BYTES + 50_000);
    expect((await readAll(T, 500)).map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it("settling a failed write keeps exactly the events whose change landed, inside their packs", async () => {
    const T = nextTenant();
    const events = Array.from({ length: 150 }, (_, i) => profileEvent(i));
    // Every third document lands; the first pack (0-99) keeps some events, the last 50 none but two.
    const lands = (i: number) => (i < 100 ? i % 3 === 0 : i === 120 || i === 140);
    await expect(
      feed.write(T, "task-3", {}, events, async () => {
        await writeProfiles(T, events, lands);
        throw new Error("the worker lost its connection");
      }),
    ).rejects.toThrow("lost its connection");
    const kept = await readAll(T, 500);
    const expected = events.map((e, i) => (lands(i) ? e.object.id : undefined)).filter(Boolean);
    expect(kept.map((e) => e.object.id)).toEqual(expected);
    expect(await feed.count(T)).toBe(expected.length);
    expect((await feed.sequencer.state(T)).open).toEqual([]);
    const byId = await feed.eventsById(
      T,
      kept.map((e) => e.id),
    );
    expect([...byId.values()]).toEqual(kept);

    // Every event of a pack dropped: the pack goes too.
    const U = nextTenant();
    await expect(
      feed.write(
        U,
        "task-4",
        {},
        events.slice(0, 10).map((e) => ({ ...e, doc: {} })),
        async () => {
          throw new Error("nothing written");
        },
      ),
    ).rejects.toThrow("nothing written");
    expect(await stack.store.directoryEvents.count(U)).toBe(0);
  });

  it("retention removes whole packs, counts their events, and marks the feed trimmed through them", async () => {
    const T = nextTenant();
    const events = Array.from({ length: 120 }, (_, i) => profileEvent(i));
    await feed.write(T, "task-5", {}, events, () => writeProfiles(T, events, () => true));
    await feed.sequencer.closeWritten(T);
    clock += 31 * 86_400_000;
    const later = Array.from({ length: 5 }, (_, i) => profileEvent(200 + i));
    await feed.write(T, "task-6", {}, later, () => writeProfiles(T, later, () => true));
    await feed.sequencer.closeWritten(T);

    expect(await feed.trimExpired(clock)).toBeGreaterThanOrEqual(120);
    expect(await feed.count(T)).toBe(5);
    await expect(feed.read(T, { after: 0, limit: 10 })).rejects.toMatchObject({ trimmedThrough: 120 });
    expect((await feed.read(T, { after: 120, limit: 10 })).events.map((e) => e.seq)).toEqual([
      121, 122, 123, 124, 125,
    ]);
  });

  it("stores snapshots compressed, with each event's id, number and type readable beside them", async () => {
    const T = nextTenant();
    // Snapshots about the size of a synced profile's: field names repeat from one to the next.
    const fields = (i: number) =>
      Object.fromEntries(Array.from({ length: 25 }, (_, f) => [`field${f}`, `value ${(i * 7 + f) % 13}`]));
    const events = Array.from({ length: 100 }, (_, i) => profileEvent(i, { fields: fields(i) }));
    await feed.write(T, "task-7", { taskId: "task-7" }, events, () => writeProfiles(T, events, () => true));
    await feed.sequencer.closeWritten(T);
    const [pack] = await stack.store.directoryEvents.all(T);
    const all = await readAll(T, 500);
    expect(pack?.events).toEqual(all.map((e) => ({ id: e.id, seq: e.seq, eventType: e.eventType })));
    const snapshots = Buffer.byteLength(JSON.stringify(all.map((e) => e.data)));
    expect(Buffer.byteLength(JSON.stringify(pack))).toBeLessThan(snapshots / 2);
    expect(all[42]?.data).toEqual(events[42]?.data);
  });

  it("reads, filters, finds and settles packs written before compression like compressed ones", async () => {
    const T = nextTenant();
    const at = new Date(clock).toISOString();
    const expiresAt = new Date(clock + 30 * 86_400_000).toISOString();
    const whole = (seq: number) => ({
      id: `evt_earlier${seq}`,
      seq,
      eventType: seq % 2 === 0 ? ("profile.created" as const) : ("profile.updated" as const),
      object: { kind: "profile" as const, id: `p${seq}` },
      data: { id: `p${seq}`, displayName: `Person ${seq}` },
    });
    // The shape the feed stored before `deflated`: whole events in `events`.
    await stack.store.directoryEvents.bulkUpsert([
      {
        id: "evp_1",
        tenantId: T,
        type: "directoryEventPack",
        firstSeq: 1,
        lastSeq: 10,
        occurredAt: at,
        cause: { taskId: "task-earlier" },
        expiresAt,
        events: Array.from({ length: 10 }, (_, i) => whole(i + 1)),
      },
    ]);
    await feed.sequencer.reserve(T, 10, "task-earlier");
    await writeProfiles(
      T,
      Array.from({ length: 10 }, (_, i) => ({ ...profileEvent(i + 1), doc: { changeSeq: i + 1 } })),
      (i) => i < 6,
    );
    const events = Array.from({ length: 5 }, (_, i) => profileEvent(100 + i));
    await feed.write(T, "task-8", {}, events, () => writeProfiles(T, events, () => true));
    // The earlier writer's block is settled as its owner's next attempt would: six of its changes landed.
    await feed.settleStale(T, (r) => r.owner === "task-earlier");
    await feed.sequencer.closeWritten(T);

    const all = await readAll(T, 4);
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15]);
    expect(all[2]).toMatchObject({ ...whole(3), occurredAt: at, cause: { taskId: "task-earlier" } });
    expect((await readAll(T, 2, ["profile.created"])).map((e) => e.seq)).toEqual([2, 4, 6, 13]);
    const found = await feed.eventsById(T, ["evt_earlier5", all[8]?.id as string]);
    expect([...found.values()].map((e) => e.seq).sort((a, b) => a - b)).toEqual([5, 13]);
    expect(await feed.count(T)).toBe(11);
  });
});
