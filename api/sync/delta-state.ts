import type { SyncSettings } from "../domain/sync-settings.ts";
import type { GraphApi } from "../graph/client.ts";
import type { ConnectionDoc, SyncStateDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { DELTA_PAGE } from "./delta-reader.ts";
import { contentHash } from "./hash.ts";
import { userSelect } from "./mapping.ts";
import { GROUP_SELECT } from "./reader.ts";

export type DeltaResource = "users" | "groups";

/**
 * Bumped when what a full sync stores changes shape (2: list member digests, adopted-profile flags), so
 * every connection's next run is full and brings its stored directory up to date.
 */
const STORED_FORMAT = 2;

/** Anything that changes what is read or how it is mapped invalidates delta links: a full run follows. */
const settingsHash = (s: SyncSettings) =>
  contentHash({
    what: s.what,
    users: s.users,
    lists: s.lists,
    mapping: s.mapping,
    email: s.email,
    required: s.required,
    updateOnly: s.updateOnly,
    photos: s.photos,
  });

const deltaPath = (resource: DeltaResource, settings: SyncSettings) =>
  resource === "users"
    ? `/users/delta?$select=${userSelect(settings).join(",")}`
    : `/groups/delta?$select=${GROUP_SELECT},members`;

const stateId = (connectionId: string, resource: DeltaResource) => `${connectionId}.${resource}`;

/** Which delta resources a connection's runs need: groups also when the user scope is made of groups. */
export function deltaResources(settings: SyncSettings): DeltaResource[] {
  const out: DeltaResource[] = [];
  if (settings.what !== "lists") out.push("users");
  if (settings.what !== "users" || settings.users.scope === "groups") out.push("groups");
  return out;
}

/**
 * Taken before a full read starts, so that changes made while it runs are replayed by the next
 * incremental run (applying them twice is harmless: writes are idempotent).
 */
export async function latestDeltaLinks(
  graph: GraphApi,
  settings: SyncSettings,
): Promise<Partial<Record<DeltaResource, string>>> {
  const links: Partial<Record<DeltaResource, string>> = {};
  for (const resource of deltaResources(settings)) {
    for await (const page of graph.pages(`${deltaPath(resource, settings)}&$deltatoken=latest`, DELTA_PAGE)) {
      if (page.deltaLink) links[resource] = page.deltaLink;
    }
  }
  return links;
}

export async function loadDeltaState(store: Store, connection: ConnectionDoc, resource: DeltaResource) {
  return store.syncState.get(connection.tenantId, stateId(connection.id, resource));
}

export async function saveDeltaState(
  store: Store,
  connection: ConnectionDoc,
  resource: DeltaResource,
  deltaLink: string,
  settings: SyncSettings,
  fullAt: string | undefined,
  now: string,
): Promise<void> {
  const previous = await loadDeltaState(store, connection, resource);
  const doc: SyncStateDoc = {
    id: stateId(connection.id, resource),
    tenantId: connection.tenantId,
    type: "syncState",
    connectionId: connection.id,
    resource,
    deltaLink,
    settingsHash: settingsHash(settings),
    updatedAt: now,
    ...((fullAt ?? previous?.lastFullAt) ? { lastFullAt: fullAt ?? previous?.lastFullAt } : {}),
    ...((fullAt ? STORED_FORMAT : previous?.storedFormat)
      ? { storedFormat: fullAt ? STORED_FORMAT : previous?.storedFormat }
      : {}),
  };
  await store.syncState.upsert(doc);
}

/** Why this connection cannot run incrementally now, or undefined when it can. */
export async function incrementalBlocker(
  store: Store,
  connection: ConnectionDoc,
  settings: SyncSettings,
  now: Date,
): Promise<string | undefined> {
  if (settings.users.scope === "administrativeUnits" && settings.what !== "lists")
    return "administrative-unit scopes are read in full";
  if (settings.users.filter && settings.what !== "lists")
    return "an OData user filter cannot be applied to delta changes";
  for (const resource of deltaResources(settings)) {
    const state = await loadDeltaState(store, connection, resource);
    if (!state?.deltaLink) return "no earlier full sync holds a delta link";
    if (state.settingsHash !== settingsHash(settings))
      return "the scope or mapping changed since the last full sync";
    if ((state.storedFormat ?? 1) < STORED_FORMAT)
      return "this version of the product stores the directory in a newer form";
    const fullAge = now.getTime() - Date.parse(state.lastFullAt ?? "1970-01-01T00:00:00Z");
    if (fullAge > connection.schedule.fullEveryHours * 3600_000)
      return "the periodic full reconciliation is due";
  }
  return undefined;
}
