import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeFeed, type PlannedEvent } from "../../api/feed/change-feed.ts";
import type { ProfileDoc } from "../../api/store/documents.ts";
import { drainThroughApi } from "../../bench/api-drain.ts";
import { startTestStore } from "../support/stack.ts";

const T = "0000000d-0000-4000-8000-000000000000";

/** The benchmark's drain row reads a tenant the way a consumer does: every object and event, over HTTP. */
describe("bench: drain through /api/v1", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  beforeAll(async () => {
    stack = await startTestStore();
  });
  afterAll(() => stack?.close());

  it("pages the whole snapshot and the whole feed with an API key", async () => {
    const feed = new ChangeFeed(stack.store, { retentionDays: 30 });
    const now = new Date().toISOString();
    // More than a page of each, so both the snapshot's and the feed's cursors are followed.
    for (let round = 0; round < 3; round++) {
      const docs: ProfileDoc[] = Array.from({ length: 400 }, (_, i) => ({
        id: `p${round}-${i}`,
        tenantId: T,
        type: "profile",
        connectionId: "c1",
        sourceId: `s${round}-${i}`,
        source: "entra",
        status: "active",
        fields: { jobTitle: "Engineer" },
        attributes: {},
        displayName: `Person ${round}-${i}`,
        hash: "h",
        lastTaskId: `task-${round}`,
        createdAt: now,
        updatedAt: now,
      }));
      const events: PlannedEvent[] = docs.map((doc) => ({
        eventType: "profile.created",
        object: { kind: "profile", id: doc.id },
        data: { id: doc.id },
        doc,
      }));
      await feed.write(T, `task-${round}`, { taskId: `task-${round}` }, events, () =>
        stack.store.profiles.bulkUpsert(docs),
      );
    }
    await feed.sequencer.closeWritten(T);

    const drain = await drainThroughApi(stack.store, feed, T);
    expect(drain).toMatchObject({ objects: 1200, events: 1200 });
    // Three snapshot pages of 500 (the last also ends it) and three feed pages.
    expect(drain.requests).toBe(6);
    expect(drain.ms).toBeGreaterThanOrEqual(drain.snapshotMs);
  });
});
