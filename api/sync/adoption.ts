import type { RunContext } from "./context.ts";
import type { ListIndexEntry } from "./list-docs.ts";
import type { ProfileIndexEntry } from "./profiles.ts";

/**
 * One Entra object is one profile in a tenant's directory. When a tenant moves from one connection to another
 * (the first switched off, or deleted with its data kept), the new connection takes over the profiles the
 * earlier one synced instead of creating a second profile for every person. Profiles of connections that are
 * still switched on (concurrent connections an admin allowed on purpose) stay theirs. Lists are taken over
 * the same way, so a group is one list in the tenant's directory.
 */
export interface Inheritance {
  /** Profiles of earlier connections for these Entra object ids, keyed by object id. */
  find(sourceIds: string[]): Promise<Map<string, ProfileIndexEntry>>;
  /** Lists of earlier connections for these Entra group ids, keyed by group id. */
  findLists(sourceIds: string[]): Promise<Map<string, InheritedList>>;
  /** The name of the connection a profile or list came from, for the task's records. */
  from(entry: { connectionId: string }): string;
}

/** An earlier connection's list, with the connection that holds it (its membership edges are that one's). */
export type InheritedList = ListIndexEntry & { connectionId: string };

const IDS_PER_QUERY = 200;
const SELECT =
  "c.id, c.sourceId, c.connectionId, c.source, c.status, c.hash, c.lastTaskId, c.displayName, c.emailKey, c.upnKey, c.photo, c.adopted";
const LIST_SELECT =
  "c.id, c.sourceId, c.connectionId, c.status, c.hash, c.name, c.lastTaskId, c.createdAt, c.description, c.mail, c.groupTypes, c.memberCount, c.membersDigest, c.nestedGroupIds";

const cache = new WeakMap<RunContext, Promise<Inheritance | undefined>>();

/** What this run may inherit; undefined when no earlier connection left profiles behind (the usual case). */
export function inheritance(ctx: RunContext): Promise<Inheritance | undefined> {
  let found = cache.get(ctx);
  if (!found) {
    found = load(ctx);
    cache.set(ctx, found);
  }
  return found;
}

async function load(ctx: RunContext): Promise<Inheritance | undefined> {
  const { store, connection } = ctx;
  const tenantId = connection.tenantId;
  const earlierData = {
    where: "c.connectionId != @c AND c.source = 'entra'",
    parameters: [{ name: "@c", value: connection.id }],
  };
  // Lists are looked for too: a connection that synced lists only leaves no profiles behind.
  const foreign =
    (await store.profiles.count(tenantId, earlierData)) || (await store.lists.count(tenantId, earlierData));
  if (foreign === 0) return undefined;
  const connections = await store.connections.all(tenantId);
  const names = new Map(connections.map((c) => [c.id, c.name]));
  // A push (scim) connection's profiles are taken over too: the person stays one profile, its SCIM resource
  // stays with it (the push connection still finds it), and fields only the push fills stay its own.
  const switchedOn = new Set(
    connections
      .filter((c) => c.id !== connection.id && c.status !== "inactive" && c.kind !== "scim")
      .map((c) => c.id),
  );
  return {
    async find(sourceIds) {
      const out = new Map<string, ProfileIndexEntry>();
      const ids = [...new Set(sourceIds)];
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        const rows = (await store.profiles.all(tenantId, {
          where: "c.connectionId != @c AND c.source = 'entra' AND ARRAY_CONTAINS(@ids, c.sourceId)",
          parameters: [
            { name: "@c", value: connection.id },
            { name: "@ids", value: ids.slice(i, i + IDS_PER_QUERY) },
          ],
          select: SELECT,
        })) as unknown as ProfileIndexEntry[];
        for (const row of rows) {
          if (switchedOn.has(row.connectionId)) continue;
          // Several earlier connections may have synced the same person: a live profile wins over a deleted one.
          const held = out.get(row.sourceId);
          if (!held || (held.status === "deleted" && row.status !== "deleted")) out.set(row.sourceId, row);
        }
      }
      return out;
    },
    async findLists(sourceIds) {
      const out = new Map<string, InheritedList>();
      const ids = [...new Set(sourceIds)];
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        const rows = (await store.lists.all(tenantId, {
          where: "c.connectionId != @c AND c.source = 'entra' AND ARRAY_CONTAINS(@ids, c.sourceId)",
          parameters: [
            { name: "@c", value: connection.id },
            { name: "@ids", value: ids.slice(i, i + IDS_PER_QUERY) },
          ],
          select: LIST_SELECT,
        })) as unknown as InheritedList[];
        for (const row of rows) {
          if (switchedOn.has(row.connectionId)) continue;
          const held = out.get(row.sourceId);
          if (!held || (held.status === "deleted" && row.status !== "deleted")) out.set(row.sourceId, row);
        }
      }
      return out;
    },
    from(entry) {
      const name = names.get(entry.connectionId);
      return name ? `connection "${name}"` : "a connection that was deleted with its data kept";
    },
  };
}
