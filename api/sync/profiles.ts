import type { FieldValue, RecordStatus } from "../domain/records.ts";
import type { ConnectionDoc, ProfileDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { contentHash } from "./hash.ts";
import type { MappedUser } from "./mapping.ts";
import { ownerWrite } from "./reconciler/ownership.ts";

/** The slice of a stored profile the planner needs, read with a projection to keep memory small. */
export interface ProfileIndexEntry {
  id: string;
  sourceId: string;
  connectionId: string;
  source: ProfileDoc["source"];
  status: RecordStatus;
  hash: string;
  lastTaskId: string;
  displayName: string;
  emailKey?: string;
  upnKey?: string;
  photo?: ProfileDoc["photo"];
  adopted?: true;
}

const INDEX_SELECT =
  "c.id, c.sourceId, c.connectionId, c.source, c.status, c.hash, c.lastTaskId, c.displayName, c.emailKey, c.upnKey, c.photo, c.adopted";

export async function loadProfileIndex(
  store: Store,
  tenantId: string,
  connectionId?: string,
): Promise<ProfileIndexEntry[]> {
  const out: ProfileIndexEntry[] = [];
  const spec = connectionId
    ? {
        where: "c.connectionId = @connectionId",
        parameters: [{ name: "@connectionId", value: connectionId }],
      }
    : {};
  for await (const page of store.profiles.stream(tenantId, { ...spec, select: INDEX_SELECT }, 2000)) {
    out.push(...(page as unknown as ProfileIndexEntry[]));
  }
  return out;
}

/** Reads full documents for a set of ids with point reads. */
export async function loadProfiles(
  store: Store,
  tenantId: string,
  ids: string[],
): Promise<Map<string, ProfileDoc>> {
  return store.profiles.readMany(tenantId, ids);
}

/**
 * A connection's profiles for the given Entra object ids, keyed by object id: point reads by the id the sync
 * gives each profile it creates. Profiles adopted by update-only matching keep the id they had; when the
 * connection may have some (`adopted`), ids not found are looked for among them with one query.
 */
export async function profilesBySource(
  store: Store,
  tenantId: string,
  connectionId: string,
  sourceIds: string[],
  adopted = true,
): Promise<Map<string, ProfileDoc>> {
  const out = new Map<string, ProfileDoc>();
  const read = await store.profiles.readMany(
    tenantId,
    sourceIds.map((id) => profileId(connectionId, id)),
  );
  for (const doc of read.values()) if (doc.connectionId === connectionId) out.set(doc.sourceId, doc);
  const rest = adopted ? [...new Set(sourceIds.filter((id) => !out.has(id)))] : [];
  for (let i = 0; i < rest.length; i += 200) {
    const docs = await store.profiles.all(tenantId, {
      where: "c.connectionId = @c AND ARRAY_CONTAINS(@ids, c.sourceId)",
      parameters: [
        { name: "@c", value: connectionId },
        { name: "@ids", value: rest.slice(i, i + 200) },
      ],
    });
    for (const doc of docs) out.set(doc.sourceId, doc);
  }
  return out;
}

export const profileId = (connectionId: string, sourceId: string) => `${connectionId}.${sourceId}`;

/** Whether a connection holds profiles it adopted (update-only), which point reads by its own ids miss. */
export async function hasAdoptedProfiles(store: Store, tenantId: string, connectionId: string) {
  const n = await store.profiles.count(tenantId, {
    where: "c.connectionId = @c AND c.adopted = true",
    parameters: [{ name: "@c", value: connectionId }],
  });
  return n > 0;
}

export const profileHash = (user: MappedUser, status: RecordStatus) =>
  contentHash({ f: user.fields, a: user.attributes, s: status, d: user.displayName });

export function buildProfile(
  base: ProfileDoc | undefined,
  user: MappedUser,
  status: RecordStatus,
  connection: ConnectionDoc,
  taskId: string,
  now: string,
): ProfileDoc {
  const id = base?.id ?? profileId(connection.id, user.sourceId);
  const owned = ownerWrite(base, user.fields, connection.id);
  const doc: ProfileDoc = {
    id,
    tenantId: connection.tenantId,
    type: "profile",
    connectionId: connection.id,
    sourceId: user.sourceId,
    source: "entra",
    status,
    fields: owned.fields,
    attributes: user.attributes,
    displayName: user.displayName,
    // The owner's content only: fields another connection filled never make the owner's sync see a change.
    hash: profileHash(user, status),
    lastTaskId: taskId,
    createdAt: base?.createdAt ?? now,
    updatedAt: now,
    ...(user.email ? { emailKey: user.email.toLowerCase() } : {}),
    ...(user.upn ? { upnKey: user.upn.toLowerCase() } : {}),
    ...(base?.photo ? { photo: base.photo } : {}),
    ...(owned.fieldOwners ? { fieldOwners: owned.fieldOwners } : {}),
    // A SCIM connection's resource for this person stays with the profile whoever writes it.
    ...(base?.scim ? { scim: base.scim } : {}),
    ...(id !== profileId(connection.id, user.sourceId) ? { adopted: true as const } : {}),
  };
  return doc;
}

/** Names of fields whose values differ, for the per-record "changed fields" column. */
export function changedFields(before: ProfileDoc, after: ProfileDoc): string[] {
  const changed: string[] = [];
  const keys = new Set([...Object.keys(before.fields), ...Object.keys(after.fields)]);
  for (const k of keys)
    if (JSON.stringify(before.fields[k]) !== JSON.stringify(after.fields[k])) changed.push(k);
  const attrs = new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)]);
  for (const k of attrs)
    if (JSON.stringify(before.attributes[k]) !== JSON.stringify(after.attributes[k]))
      changed.push(`attribute:${k}`);
  if (before.status !== after.status) changed.push("status");
  if (before.displayName !== after.displayName && !changed.includes("displayName"))
    changed.push("displayName");
  return changed.sort();
}

/** Old and new values of the changed standard fields and attributes, for the task's records. */
export function fieldChanges(
  before: ProfileDoc,
  after: ProfileDoc,
): Record<string, { from: FieldValue; to: FieldValue }> {
  const out: Record<string, { from: FieldValue; to: FieldValue }> = {};
  for (const name of changedFields(before, after)) {
    if (name === "status") out.status = { from: before.status, to: after.status };
    else if (name.startsWith("attribute:")) {
      const key = name.slice("attribute:".length);
      out[name] = { from: before.attributes[key] ?? null, to: after.attributes[key] ?? null };
    } else if (name === "displayName" && !(name in before.fields) && !(name in after.fields))
      out.displayName = { from: before.displayName, to: after.displayName };
    else out[name] = { from: before.fields[name] ?? null, to: after.fields[name] ?? null };
  }
  return out;
}
