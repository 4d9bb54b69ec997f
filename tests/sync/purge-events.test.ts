import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeFeed } from "../../api/feed/change-feed.ts";
import type { ProfileDoc } from "../../api/store/documents.ts";
import { purgeExpired } from "../../api/sync/purge.ts";
import { startTestStore } from "../support/stack.ts";

const TENANT = "44444444-4444-4444-4444-444444444444";

const deletedProfile = (deletedAt: Date): ProfileDoc => ({
  id: "profile-1",
  tenantId: TENANT,
  type: "profile",
  connectionId: "connection-1",
  sourceId: "aaaaaaaa-0000-0000-0000-000000000001",
  source: "entra",
  status: "deleted",
  deletedAt: deletedAt.toISOString(),
  purgeAfter: new Date(deletedAt.getTime() + 1000).toISOString(),
  fields: { email: "ada@example.com" },
  attributes: {},
  displayName: "Ada",
  hash: "h",
  lastTaskId: "task-1",
  createdAt: deletedAt.toISOString(),
  updatedAt: deletedAt.toISOString(),
});

/**
 * A consumer uses an event's id as its idempotency key. A profile purged, restored with the same id (the
 * person came back in Entra), deleted and purged again must therefore get a second purge event with an id of
 * its own: with the first one's id, the consumer would skip it and keep a profile that is gone.
 */
describe("retention purges in the change feed", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  beforeAll(async () => {
    stack = await startTestStore();
  });
  afterAll(() => stack?.close());

  it("gives a profile purged twice, in two runs, two purge events with distinct ids", async () => {
    const feed = new ChangeFeed(stack.store, { retentionDays: 30 });
    const first = new Date(Date.now() - 10 * 86_400_000);
    await stack.store.profiles.upsert(deletedProfile(first));
    await purgeExpired(stack.store, new Date(first.getTime() + 60_000), feed);
    const second = new Date(Date.now() - 5 * 86_400_000);
    await stack.store.profiles.upsert(deletedProfile(second));
    await purgeExpired(stack.store, new Date(second.getTime() + 60_000), feed);

    const page = await feed.read(TENANT, { after: 0, limit: 100 });
    const purges = page.events.filter((e) => e.eventType === "profile.purged");
    expect(purges.map((e) => e.object.id)).toEqual(["profile-1", "profile-1"]);
    expect(new Set(purges.map((e) => e.id)).size).toBe(2);
    expect(purges[0]?.seq).toBeLessThan(purges[1]?.seq as number);
    // Looked up by id, as a webhook redelivery does, each is itself.
    const byId = await feed.eventsById(
      TENANT,
      purges.map((e) => e.id),
    );
    expect([...byId.values()].map((e) => e.seq)).toEqual(purges.map((e) => e.seq));
  });
});
