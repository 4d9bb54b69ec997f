import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalKeyWrapper, SecretBox } from "../../api/auth/secrets.ts";
import { ChangeFeed, CursorExpired, type PlannedEvent } from "../../api/feed/change-feed.ts";
import type { Logger } from "../../api/logger.ts";
import type {
  DirectoryEventDoc,
  DirectoryEventPackDoc,
  FeedStateDoc,
  ProfileDoc,
  WebhookEndpointDoc,
} from "../../api/store/documents.ts";
import { WebhookDispatcher } from "../../api/webhooks/dispatcher.ts";
import { WebhookEndpoints } from "../../api/webhooks/endpoints.ts";
import { startTestStore } from "../support/stack.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;

/**
 * A deployment from before packs holds one document per event. After the upgrade the feed must read them with
 * the same sequence numbers, ids and order, convert them into packs once, and keep each event exactly once
 * whatever interrupts the conversion.
 */
describe("change feed upgrade from one document per event", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  let clock = Date.now();
  const now = () => clock;
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
  } as unknown as Logger;
  let tenant = 0;
  const nextTenant = () => `1000000${++tenant}-0000-4000-8000-000000000000`;
  const newFeed = () => new ChangeFeed(stack.store, { retentionDays: 30, now, logger });

  beforeAll(async () => {
    stack = await startTestStore();
  });
  afterAll(() => stack?.close());

  /** Events as the earlier feed stored them: one block per run, each event its own document. */
  const earlierEvents = (
    tenantId: string,
    blocks: { from: number; to: number; taskId?: string; expiresAt?: number }[],
  ): DirectoryEventDoc[] =>
    blocks.flatMap((block, b) =>
      Array.from({ length: block.to - block.from + 1 }, (_, i): DirectoryEventDoc => {
        const seq = block.from + i;
        return {
          id: `evt_earlier${String(seq).padStart(15, "0")}`,
          tenantId,
          type: "directoryEvent",
          seq,
          eventType: seq % 4 === 0 ? "list.updated" : "profile.updated",
          occurredAt: new Date(clock - 5 * DAY + b * MINUTE).toISOString(),
          object: seq % 4 === 0 ? { kind: "list", id: `l${seq}` } : { kind: "profile", id: `p${seq}` },
          data: { id: `p${seq}`, displayName: `Person ${seq}` },
          ...(seq % 5 === 0 ? { changes: { displayName: { from: "Old", to: `Person ${seq}` } } } : {}),
          cause: block.taskId ? { taskId: block.taskId, trigger: "schedule" } : {},
          expiresAt: new Date(block.expiresAt ?? clock + 25 * DAY).toISOString(),
        };
      }),
    );
  /** Writes the documents and the feed state straight into the store, as the earlier deployment left them. */
  const seedEarlierDeployment = async (
    tenantId: string,
    events: DirectoryEventDoc[],
    state: Partial<FeedStateDoc> = {},
  ) => {
    const last = Math.max(...events.map((e) => e.seq));
    await stack.store.feedState.create({
      id: "feed",
      tenantId,
      type: "feedState",
      next: last + 1,
      open: [],
      trimmedThrough: 0,
      ...state,
    });
    await (stack.store.directoryEvents.bulkUpsert as (docs: unknown[]) => Promise<void>)(events);
  };
  const readAll = async (feed: ChangeFeed, tenantId: string, after = 0, limit = 40) => {
    const events: DirectoryEventDoc[] = [];
    for (;;) {
      const page = await feed.read(tenantId, { after, limit });
      events.push(...page.events);
      after = page.next;
      if (!page.hasMore) break;
    }
    return events;
  };
  const storedShapes = async (tenantId: string) => {
    const docs = (await stack.store.directoryEvents.all(tenantId)) as unknown as (
      | DirectoryEventPackDoc
      | DirectoryEventDoc
    )[];
    return {
      packs: docs.filter((d): d is DirectoryEventPackDoc => d.type === "directoryEventPack"),
      unpacked: docs.filter((d): d is DirectoryEventDoc => d.type === "directoryEvent"),
    };
  };
  const profileEvents = (count: number): PlannedEvent[] =>
    Array.from({ length: count }, (_, i) => ({
      eventType: "profile.created",
      object: { kind: "profile", id: `new${i}` },
      data: { id: `new${i}` },
      doc: {},
    }));

  it("reads earlier events beside new packs, converts them once, and reads the same before and after", async () => {
    const T = nextTenant();
    const earlier = earlierEvents(T, [
      { from: 1, to: 120, taskId: "task-a" },
      { from: 121, to: 200, taskId: "task-b" },
      { from: 201, to: 250 },
    ]);
    const malformed = { ...earlier[0], id: "evt_malformed", seq: 251, object: undefined };
    // Another instance is converting this tenant: this one reads both shapes meanwhile.
    await seedEarlierDeployment(T, [...earlier, malformed as unknown as DirectoryEventDoc], {
      packing: { owner: "other-instance", expiresAt: new Date(clock + MINUTE).toISOString() },
    });
    const feed = newFeed();
    const added = profileEvents(50);
    await feed.write(T, "task-c", { taskId: "task-c" }, added, async () => {
      const docs = added.map((e) => ({
        id: e.object.id,
        tenantId: T,
        type: "profile",
        changeSeq: e.doc?.changeSeq,
      }));
      await stack.store.profiles.bulkUpsert(docs as unknown as ProfileDoc[]);
    });
    await feed.sequencer.closeWritten(T);
    expect((await storedShapes(T)).unpacked).toHaveLength(251);

    const before = await readAll(feed, T);
    expect(before.slice(0, 250)).toEqual(earlier);
    expect(before.slice(250).map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 252 + i));
    const fromMiddle = await feed.read(T, { after: 100, limit: 30 });
    expect(fromMiddle.events).toEqual(earlier.slice(100, 130));
    expect(fromMiddle.next).toBe(130);
    const typed = await feed.read(T, { after: 0, limit: 500, types: ["list.updated"] });
    expect(typed.events).toEqual(earlier.filter((e) => e.eventType === "list.updated"));
    expect((await feed.eventsById(T, [earlier[150]?.id as string])).get(earlier[150]?.id as string)).toEqual(
      earlier[150],
    );

    // The other instance died: its claim expires and the next reader converts.
    clock += 3 * MINUTE;
    expect(await feed.ensurePacked(T)).toBe(true);
    const { packs, unpacked } = await storedShapes(T);
    expect(unpacked.map((d) => d.id)).toEqual(["evt_malformed"]);
    // Each earlier block keeps its time and cause on its own packs: 100 + 20, 80, 50, and the new 50.
    expect(packs.map((p) => [p.firstSeq, p.lastSeq]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0))).toEqual([
      [1, 100],
      [101, 120],
      [121, 200],
      [201, 250],
      [252, 301],
    ]);
    expect(warnings.some((w) => w.fields.documentId === "evt_malformed")).toBe(true);

    expect(await readAll(feed, T)).toEqual(before);
    expect((await feed.read(T, { after: 100, limit: 30 })).events).toEqual(fromMiddle.events);
    expect(await readAll(newFeed(), T, 0, 7)).toEqual(before);
    expect(await feed.count(T)).toBe(300);
    expect((await feed.sequencer.state(T)).eventsPacked).toBe(true);

    // A webhook redelivery names its event by id: an earlier event is still found and queued.
    const endpoints = new WebhookEndpoints(
      stack.store,
      new SecretBox(new LocalKeyWrapper(randomBytes(32))),
      feed,
      {
        allowPrivate: true,
        now,
      },
    );
    const dispatcher = new WebhookDispatcher(stack.store, feed, endpoints, undefined, {
      allowPrivate: true,
      owner: "test",
      now,
    });
    const endpoint = { id: "whe_upgrade", tenantId: T, eventTypes: [] } as unknown as WebhookEndpointDoc;
    const event = earlier[42] as DirectoryEventDoc;
    expect(await dispatcher.redeliver(endpoint, { eventId: event.id })).toBe(1);
    expect(await stack.store.webhookDeliveries.get(T, `whe_upgrade.${event.id}`)).toMatchObject({
      eventId: event.id,
      seq: event.seq,
      eventType: event.eventType,
      status: "pending",
    });
  });

  it("a conversion killed after writing packs, run again and again, leaves each event once", async () => {
    const T = nextTenant();
    const earlier = earlierEvents(T, [
      { from: 1, to: 150, taskId: "task-a" },
      { from: 151, to: 180, taskId: "task-b" },
    ]);
    await seedEarlierDeployment(T, earlier);
    const feed = newFeed();
    const bulkDelete = stack.store.directoryEvents.bulkDelete;
    // Stopped after its packs were written and half the documents they replace were deleted.
    stack.store.directoryEvents.bulkDelete = async (tenantId, ids) => {
      await bulkDelete.call(stack.store.directoryEvents, tenantId, ids.slice(0, 90));
      throw new Error("the process was stopped");
    };
    try {
      expect(await feed.ensurePacked(T)).toBe(false);
    } finally {
      stack.store.directoryEvents.bulkDelete = bulkDelete;
    }
    // Packs and the documents they replace are both stored now; readers still see each event once.
    const halfway = await storedShapes(T);
    expect(halfway.packs.flatMap((p) => p.events)).toHaveLength(180);
    expect(halfway.unpacked.map((d) => d.seq).sort((a, b) => a - b)).toEqual(
      earlier.slice(90).map((e) => e.seq),
    );
    expect(await readAll(feed, T, 0, 33)).toEqual(earlier);
    expect((await feed.read(T, { after: 140, limit: 20 })).events).toEqual(earlier.slice(140, 160));

    // The stopped run's claim holds until it expires; then the conversion completes without a second copy.
    expect(await feed.ensurePacked(T)).toBe(false);
    clock += 3 * MINUTE;
    expect(await feed.ensurePacked(T)).toBe(true);
    expect(await newFeed().ensurePacked(T)).toBe(true);
    const done = await storedShapes(T);
    expect(done.unpacked).toEqual([]);
    expect(done.packs.flatMap((p) => p.events.map((e) => e.seq))).toEqual(earlier.map((e) => e.seq));
    expect(await readAll(feed, T)).toEqual(earlier);
  });

  it("retention removes expired earlier documents as one event each and marks the range trimmed", async () => {
    const T = nextTenant();
    const earlier = earlierEvents(T, [
      { from: 1, to: 10, expiresAt: clock - DAY },
      { from: 11, to: 20 },
    ]);
    // Still being converted elsewhere, so retention meets the documents themselves.
    await seedEarlierDeployment(T, earlier, {
      packing: { owner: "other-instance", expiresAt: new Date(clock + MINUTE).toISOString() },
    });
    const feed = newFeed();
    expect(await feed.trimExpired()).toBe(10);
    expect((await feed.sequencer.state(T)).trimmedThrough).toBe(10);
    await expect(feed.read(T, { after: 0, limit: 50 })).rejects.toBeInstanceOf(CursorExpired);
    expect(await readAll(feed, T, 10)).toEqual(earlier.slice(10));
  });
});
