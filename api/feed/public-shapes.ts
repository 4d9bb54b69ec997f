import type { PublicEvent, PublicList, PublicMembership, PublicProfile } from "../contract/directory-v1.ts";
import type { DirectoryEventDoc, ListDoc, MembershipDoc, ProfileDoc } from "../store/documents.ts";

// Store documents turned into the Directory API's public shapes (api/contract/directory-v1.ts), field by field:
// internal fields (hashes, `_etag`, partition keys, checkpoints) can only appear if named here.

export function publicProfile(doc: ProfileDoc): PublicProfile {
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    object: "profile",
    id: doc.id,
    entraObjectId: doc.sourceId,
    connectionId: doc.connectionId,
    status: doc.status,
    displayName: doc.displayName,
    email: text(doc.fields.email),
    userPrincipalName: text(doc.fields.userPrincipalName) ?? doc.upnKey ?? null,
    fields: { ...doc.fields },
    attributes: { ...doc.attributes },
    hasPhoto: Boolean(doc.photo),
    deletedAt: doc.deletedAt ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function publicList(doc: ListDoc): PublicList {
  return {
    object: "list",
    id: doc.id,
    entraObjectId: doc.sourceId,
    connectionId: doc.connectionId,
    status: doc.status,
    name: doc.name,
    description: doc.description,
    mail: doc.mail,
    groupTypes: [...doc.groupTypes],
    memberCount: doc.memberCount,
    deletedAt: doc.deletedAt ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** A member edge; the profile's id is derived as the sync derives it, from the connection and Entra id. */
export function publicMembership(
  edge: Pick<MembershipDoc, "id" | "connectionId" | "listId" | "listSourceId" | "memberSourceId">,
  profileId: string,
): PublicMembership {
  return {
    object: "membership",
    id: edge.id,
    connectionId: edge.connectionId,
    listId: edge.listId,
    listEntraObjectId: edge.listSourceId,
    profileId,
    memberEntraObjectId: edge.memberSourceId,
  };
}

export const cursorOf = (seq: number) => String(seq);

export function publicEvent(doc: DirectoryEventDoc): PublicEvent {
  return {
    object: "event",
    id: doc.id,
    cursor: cursorOf(doc.seq),
    type: doc.eventType,
    occurredAt: doc.occurredAt,
    data: doc.data as PublicEvent["data"],
    ...(doc.changes ? { changes: doc.changes } : {}),
    cause: { taskId: doc.cause.taskId ?? null, trigger: doc.cause.trigger ?? null },
  };
}
