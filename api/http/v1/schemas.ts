import { z } from "zod";
import {
  eventSchema,
  eventTypeSchema,
  listSchema,
  membershipSchema,
  profileSchema,
} from "../../contract/directory-v1.ts";
import { pageCursorParam } from "../../contract/webhooks.ts";

/** Requests and answers of /api/v1, validated here and published as the OpenAPI document (openapi.ts). */
const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(200)
  .default(50)
  .meta({ description: "Items per page (1-200)." });

const isoParam = z.iso.datetime({ offset: true });

export const profilesQuery = z
  .object({
    status: z.enum(["active", "inactive", "deleted"]).optional(),
    list: z.string().max(300).optional().meta({ description: "Only members of this list (list id)." }),
    updatedAfter: isoParam.optional().meta({ description: "Only profiles changed after this time." }),
    entraObjectId: z.string().max(100).optional(),
    email: z.string().max(320).optional().meta({ description: "Case-insensitive." }),
    limit: limitParam,
    cursor: pageCursorParam,
  })
  .strict();

export const listsQuery = z
  .object({
    status: z.enum(["active", "deleted"]).optional(),
    updatedAfter: isoParam.optional(),
    entraObjectId: z.string().max(100).optional(),
    limit: limitParam,
    cursor: pageCursorParam,
  })
  .strict();

export const pageQuery = z.object({ limit: limitParam, cursor: pageCursorParam }).strict();
export const idPath = z.object({ id: z.string().min(1).max(300) });

export const eventsQuery = z
  .object({
    after: z
      .string()
      .regex(/^\d{1,15}$/, "must be a cursor from the API (digits)")
      .meta({
        description: "Cursor: an event's `cursor`, a page's `nextCursor`, or the snapshot's `feedCursor`.",
      }),
    types: z
      .string()
      .max(2000)
      .optional()
      .meta({ description: "Comma-separated event types, e.g. profile.created,profile.updated." }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const snapshotQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(200), cursor: pageCursorParam })
  .strict();

const page = <T extends z.ZodType>(item: T, id: string) =>
  z
    .strictObject({
      object: z.literal("list"),
      data: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .meta({ description: "Pass as `cursor` for the next page; null on the last." }),
    })
    .meta({ id });

export const profilePage = page(profileSchema, "ProfilePage");
export const listPage = page(listSchema, "ListPage");

export const eventPage = z
  .strictObject({
    object: z.literal("list"),
    data: z.array(eventSchema),
    nextCursor: z.string().meta({ description: "Pass as `after` for the next events; keep it to resume." }),
    hasMore: z.boolean().meta({ description: "More events are ready now; ask again at once." }),
  })
  .meta({ id: "EventPage" });

export const snapshotPage = z
  .strictObject({
    object: z.literal("list"),
    data: z.array(z.union([profileSchema, listSchema, membershipSchema])),
    nextCursor: z.string().nullable(),
    feedCursor: z.string().nullable().meta({
      description: "On the last page: read GET /events?after=feedCursor to follow changes, nothing missed.",
    }),
  })
  .meta({ id: "SnapshotPage" });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      remedy: z.string(),
      fields: z.record(z.string(), z.string()).optional(),
    }),
  })
  .meta({ id: "Error" });

export { eventTypeSchema, listSchema, profileSchema };
