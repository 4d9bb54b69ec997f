import { z } from "zod";
import { DIRECTORY_EVENT_TYPES } from "../domain/event-types.ts";

/**
 * GET /api/v1/events as the tab's "API and webhooks" page follows it: of each event's snapshot, what the page
 * names it by. The Directory API publishes the full shapes (directory-v1.ts, in OpenAPI); these
 * open objects hold the part the tab reads, and a test checks real events against both.
 */
const snapshot = z.discriminatedUnion("object", [
  z.object({ object: z.literal("profile"), id: z.string(), displayName: z.string() }),
  z.object({ object: z.literal("list"), id: z.string(), name: z.string() }),
  z.object({
    object: z.literal("membership"),
    id: z.string(),
    memberEntraObjectId: z.string(),
    listEntraObjectId: z.string(),
  }),
  z.object({ object: z.literal("connection"), id: z.string(), summary: z.string() }),
]);

const feedEventSchema = z.object({
  id: z.string(),
  cursor: z.string(),
  type: z.enum(DIRECTORY_EVENT_TYPES),
  occurredAt: z.string(),
  data: snapshot,
  cause: z.object({ taskId: z.string().nullable(), trigger: z.string().nullable() }),
});
export type FeedEvent = z.infer<typeof feedEventSchema>;

export const feedPageSchema = z.object({
  object: z.literal("list"),
  data: z.array(feedEventSchema),
  nextCursor: z.string(),
  hasMore: z.boolean(),
});
export type FeedPage = z.infer<typeof feedPageSchema>;
