import type { PublicMembership } from "../contract/directory-v1.ts";
import type { ChangeFeed, PlannedEvent } from "../feed/change-feed.ts";
import { publicList, publicProfile } from "../feed/public-shapes.ts";
import type { ListDoc, MembershipDoc, ProfileDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { memberProfileIds } from "../sync/member-profiles.ts";
import { membershipEvent } from "../sync/reconciler/change-events.ts";

const purged = (kind: "profile" | "list", doc: ProfileDoc | ListDoc): PlannedEvent => ({
  eventType: kind === "profile" ? "profile.purged" : "list.purged",
  object: { kind, id: doc.id },
  data: kind === "profile" ? publicProfile(doc as ProfileDoc) : publicList(doc as ListDoc),
  connectionId: doc.connectionId,
  expect: { container: kind === "profile" ? "profiles" : "lists", id: doc.id, present: false },
});

/**
 * Removes what a connection synced: profiles (and their photos), lists, membership edges and delta state.
 * Streams page by page and deletes in bulk, so a large tenant never sits in memory. With the change feed,
 * each removal is announced as it happens (`membership.removed`, `profile.purged`, `list.purged`), so the
 * applications following the feed drop those objects too instead of keeping people who are gone from the
 * directory. The events are written before each page is deleted, with ids fixed by the connection, so a
 * deletion that stops half-way and is started again announces nothing twice and nothing that stayed.
 */
export async function removeConnectionData(
  store: Store,
  tenantId: string,
  connectionId: string,
  feed?: ChangeFeed,
) {
  const byConnection = {
    where: "c.connectionId = @c",
    parameters: [{ name: "@c", value: connectionId }],
    select: feed ? "*" : "c.id",
  };
  const owner = `connection-delete:${connectionId}`;
  const announced = (events: PlannedEvent[], remove: () => Promise<void>) =>
    feed && events.length > 0 ? feed.write(tenantId, owner, {}, events, remove) : remove();
  const counts = { profiles: 0, lists: 0, memberships: 0, photos: 0 };
  for await (const page of store.memberships.stream(tenantId, byConnection)) {
    const edges = page as MembershipDoc[];
    const events = feed ? await membershipRemovals(store, tenantId, connectionId, edges) : [];
    await announced(events, () =>
      store.memberships.bulkDelete(
        tenantId,
        edges.map((d) => d.id),
      ),
    );
    counts.memberships += page.length;
  }
  for await (const page of store.profiles.stream(tenantId, byConnection)) {
    const ids = page.map((d) => d.id);
    const photos = await store.photos.all(tenantId, {
      where: "ARRAY_CONTAINS(@ids, c.profileId)",
      parameters: [{ name: "@ids", value: ids }],
      select: "c.id",
    });
    await announced(feed ? (page as ProfileDoc[]).map((doc) => purged("profile", doc)) : [], async () => {
      await store.photos.bulkDelete(
        tenantId,
        photos.map((p) => p.id),
      );
      await store.profiles.bulkDelete(tenantId, ids);
    });
    counts.profiles += ids.length;
    counts.photos += photos.length;
  }
  for await (const page of store.lists.stream(tenantId, byConnection)) {
    await announced(feed ? (page as ListDoc[]).map((doc) => purged("list", doc)) : [], () =>
      store.lists.bulkDelete(
        tenantId,
        page.map((d) => d.id),
      ),
    );
    counts.lists += page.length;
  }
  const states = await store.syncState.all(tenantId, byConnection);
  await store.syncState.bulkDelete(
    tenantId,
    states.map((s) => s.id),
  );
  // Welcome notices name and address people: they go with the rest of the connection's data.
  const notices = await store.welcomeNotices.all(tenantId, { ...byConnection, select: "c.id" });
  await store.welcomeNotices.bulkDelete(
    tenantId,
    notices.map((n) => n.id),
  );
  return counts;
}

/** Each edge's removal, naming the member's real profile (adopted profiles keep their earlier id). */
async function membershipRemovals(
  store: Store,
  tenantId: string,
  connectionId: string,
  edges: MembershipDoc[],
): Promise<PlannedEvent[]> {
  const ids = await memberProfileIds(
    store,
    tenantId,
    connectionId,
    edges.map((e) => e.memberSourceId),
  );
  return edges.map((edge) => {
    const event = membershipEvent("membership.removed", edge);
    const data = event.data as PublicMembership;
    data.profileId = ids.get(edge.memberSourceId) ?? data.profileId;
    return event;
  });
}
