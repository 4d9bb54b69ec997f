import type { TaskRecordDoc } from "../../store/documents.ts";
import type { Store } from "../../store/store.ts";

interface Named {
  sourceId: string;
  name: string;
  profileId?: string;
}

/** A task record as the details page shows it: linked to its profile or list, members named. */
export type LinkedRecord = Omit<TaskRecordDoc, "keys" | "ttl" | "members"> & {
  profileId?: string;
  listId?: string;
  members?: { added: Named[]; removed: Named[] };
};

interface Row {
  id: string;
  sourceId: string;
  connectionId: string;
  displayName?: string;
  name?: string;
}

/** The documents for these Entra ids, preferring the given connection's (the one that wrote the record). */
async function bySource(
  store: Store,
  container: "profiles" | "lists",
  tenantId: string,
  ids: string[],
  connectionId: string,
): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  if (ids.length === 0) return out;
  const rows = (await store[container].all(tenantId, {
    where: "ARRAY_CONTAINS(@ids, c.sourceId)",
    parameters: [{ name: "@ids", value: [...new Set(ids)] }],
    select:
      container === "profiles"
        ? "c.id, c.sourceId, c.connectionId, c.displayName"
        : "c.id, c.sourceId, c.connectionId, c.name",
  })) as unknown as Row[];
  for (const row of rows)
    if (!out.has(row.sourceId) || row.connectionId === connectionId) out.set(row.sourceId, row);
  return out;
}

/**
 * Adds what a reader follows from a record: the profile or list it is about, and the names of the members a
 * list record says were added or removed (records keep ids; names are looked up once per page).
 */
export async function linkRecords(
  store: Store,
  tenantId: string,
  records: TaskRecordDoc[],
): Promise<LinkedRecord[]> {
  const connectionId = records[0]?.connectionId ?? "";
  const userIds = records.filter((r) => r.kind === "user").map((r) => r.sourceId);
  const memberIds = records.flatMap((r) => [...(r.members?.added ?? []), ...(r.members?.removed ?? [])]);
  const listIds = records.filter((r) => r.kind === "list").map((r) => r.sourceId);
  const profiles = await bySource(store, "profiles", tenantId, [...userIds, ...memberIds], connectionId);
  const lists = await bySource(store, "lists", tenantId, listIds, connectionId);
  const named = (id: string): Named => {
    const p = profiles.get(id);
    return { sourceId: id, name: p?.displayName ?? id, ...(p ? { profileId: p.id } : {}) };
  };
  return records.map((r) => {
    const { keys: _k, ttl: _t, members, ...rest } = r;
    const profile = r.kind === "user" ? profiles.get(r.sourceId) : undefined;
    const list = r.kind === "list" ? lists.get(r.sourceId) : undefined;
    return {
      ...rest,
      ...(profile ? { profileId: profile.id } : {}),
      ...(list ? { listId: list.id } : {}),
      ...(members
        ? { members: { added: members.added.map(named), removed: members.removed.map(named) } }
        : {}),
    };
  });
}
