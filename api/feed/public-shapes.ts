import { z } from "zod";
import type { DirectoryEventDoc, ListDoc, MembershipDoc, ProfileDoc } from "../store/documents.ts";

/**
 * The Directory API's public shapes (/api/v1), used by the API's answers, the change feed's snapshots and
 * the webhook payloads alike, and turned into the OpenAPI document. Internal fields (hashes, `_etag`,
 * partition keys, checkpoints) never appear: each shape is built field by field.
 */
const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]);
const status = z.enum(["active", "inactive", "deleted"]);
const timestamp = z.string().meta({ format: "date-time" });

export const profileSchema = z
  .strictObject({
    object: z.literal("profile"),
    id: z.string().meta({ description: "The product's id of the profile (stable)." }),
    entraObjectId: z.string().meta({ description: "The user's object id in Microsoft Entra ID." }),
    connectionId: z.string(),
    status,
    displayName: z.string(),
    email: z.string().nullable(),
    userPrincipalName: z.string().nullable(),
    fields: z.record(z.string(), fieldValue).meta({ description: "Mapped standard fields." }),
    attributes: z.record(z.string(), fieldValue).meta({ description: "Custom attributes." }),
    hasPhoto: z.boolean(),
    deletedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "Profile" });

export const listSchema = z
  .strictObject({
    object: z.literal("list"),
    id: z.string(),
    entraObjectId: z.string().meta({ description: "The group's object id in Microsoft Entra ID." }),
    connectionId: z.string(),
    status,
    name: z.string(),
    description: z.string().nullable(),
    mail: z.string().nullable(),
    groupTypes: z.array(z.string()),
    memberCount: z.number().int(),
    deletedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "List" });

export const membershipSchema = z
  .strictObject({
    object: z.literal("membership"),
    id: z.string(),
    connectionId: z.string(),
    listId: z.string(),
    listEntraObjectId: z.string(),
    profileId: z
      .string()
      .meta({ description: "Id of the member's profile (null-free: members are profiles)." }),
    memberEntraObjectId: z.string(),
  })
  .meta({ id: "Membership" });

const connectionSummarySchema = z
  .strictObject({
    object: z.literal("connection"),
    id: z.string(),
    taskId: z.string().nullable(),
    status: z.string().meta({ description: "The task's outcome or the connection's state." }),
    summary: z.string(),
  })
  .meta({ id: "ConnectionNotice" });

export const eventTypeSchema = z
  .enum([
    "profile.created",
    "profile.updated",
    "profile.deactivated",
    "profile.reactivated",
    "profile.deleted",
    "profile.restored",
    "profile.purged",
    "list.created",
    "list.updated",
    "list.deleted",
    "list.restored",
    "list.purged",
    "membership.added",
    "membership.removed",
    "connection.sync_finished",
    "connection.sync_halted",
    "connection.sync_failed",
    "connection.reauthorization_needed",
  ])
  .meta({ id: "EventType" });

export const eventSchema = z
  .strictObject({
    object: z.literal("event"),
    id: z.string().meta({ description: "Stable id; use it as the idempotency key." }),
    cursor: z.string().meta({ description: "Pass as `after` to read the events after this one." }),
    type: eventTypeSchema,
    occurredAt: timestamp,
    data: z
      .union([profileSchema, listSchema, membershipSchema, connectionSummarySchema])
      .meta({ description: "The object's full snapshot after the change." }),
    changes: z
      .record(z.string(), z.strictObject({ from: z.unknown(), to: z.unknown() }))
      .optional()
      .meta({ description: "For profile.updated and list.updated: each changed field's old and new value." }),
    cause: z.strictObject({ taskId: z.string().nullable(), trigger: z.string().nullable() }),
  })
  .meta({ id: "Event" });

export type PublicProfile = z.infer<typeof profileSchema>;
export type PublicList = z.infer<typeof listSchema>;
export type PublicMembership = z.infer<typeof membershipSchema>;
export type PublicEvent = z.infer<typeof eventSchema>;

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
