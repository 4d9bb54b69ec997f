import { z } from "zod";
import { DIRECTORY_EVENT_TYPES } from "../domain/event-types.ts";

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

export const eventTypeSchema = z.enum(DIRECTORY_EVENT_TYPES).meta({ id: "EventType" });

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
