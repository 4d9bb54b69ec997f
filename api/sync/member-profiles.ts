import type { Store } from "../store/store.ts";
import { profileId } from "./profiles.ts";

const IDS_PER_QUERY = 200;

/**
 * The profile id of each member (by Entra object id) of a connection's lists. Most profiles carry the id the
 * sync derives from the connection and the object id, but a profile adopted by update-only matching or taken
 * over from an earlier connection keeps the id it had (marked `adopted`): those are looked up, one query per
 * 200 members, so a membership always names the profile a consumer actually holds.
 */
export async function memberProfileIds(
  store: Store,
  tenantId: string,
  connectionId: string,
  memberSourceIds: Iterable<string>,
): Promise<Map<string, string>> {
  const ids = [...new Set(memberSourceIds)];
  const out = new Map(ids.map((id) => [id, profileId(connectionId, id)]));
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = (await store.profiles.all(tenantId, {
      // Pushed members (SCIM) may be profiles of another connection that the push connection keeps a resource on.
      where:
        "((c.connectionId = @c AND c.adopted = true) OR c.scim.connectionId = @c) AND ARRAY_CONTAINS(@ids, c.sourceId)",
      parameters: [
        { name: "@c", value: connectionId },
        { name: "@ids", value: ids.slice(i, i + IDS_PER_QUERY) },
      ],
      select: "c.id, c.sourceId",
    })) as unknown as { id: string; sourceId: string }[];
    for (const row of rows) out.set(row.sourceId, row.id);
  }
  return out;
}

/** The same for edges of any connections (a snapshot page, a deletion), grouped by connection. */
export async function edgeProfileIds(
  store: Store,
  tenantId: string,
  edges: { connectionId: string; memberSourceId: string }[],
): Promise<(edge: { connectionId: string; memberSourceId: string }) => string> {
  const byConnection = new Map<string, string[]>();
  for (const e of edges)
    byConnection.set(e.connectionId, [...(byConnection.get(e.connectionId) ?? []), e.memberSourceId]);
  const found = new Map<string, Map<string, string>>();
  for (const [connectionId, sourceIds] of byConnection)
    found.set(connectionId, await memberProfileIds(store, tenantId, connectionId, sourceIds));
  return (e) =>
    found.get(e.connectionId)?.get(e.memberSourceId) ?? profileId(e.connectionId, e.memberSourceId);
}
