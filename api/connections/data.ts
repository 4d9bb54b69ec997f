import type { Store } from "../store/store.ts";

/**
 * Removes what a connection synced: profiles (and their photos), lists, membership edges and delta state.
 * Streams page by page and deletes in bulk, so a large tenant never sits in memory.
 */
export async function removeConnectionData(store: Store, tenantId: string, connectionId: string) {
  const byConnection = {
    where: "c.connectionId = @c",
    parameters: [{ name: "@c", value: connectionId }],
    select: "c.id",
  };
  const counts = { profiles: 0, lists: 0, memberships: 0, photos: 0 };
  for await (const page of store.memberships.stream(tenantId, byConnection)) {
    await store.memberships.bulkDelete(
      tenantId,
      page.map((d) => d.id),
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
    await store.photos.bulkDelete(
      tenantId,
      photos.map((p) => p.id),
    );
    await store.profiles.bulkDelete(tenantId, ids);
    counts.profiles += ids.length;
    counts.photos += photos.length;
  }
  for await (const page of store.lists.stream(tenantId, byConnection)) {
    await store.lists.bulkDelete(
      tenantId,
      page.map((d) => d.id),
    );
    counts.lists += page.length;
  }
  const states = await store.syncState.all(tenantId, byConnection);
  await store.syncState.bulkDelete(
    tenantId,
    states.map((s) => s.id),
  );
  return counts;
}
