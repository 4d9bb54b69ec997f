import { z } from "zod";
import { eventSchema } from "../feed/public-shapes.ts";

/**
 * GET /api/v1/events: the change feed applications follow, which the tab's "API and webhooks" page follows
 * too. The event's shape is the Directory API's (api/feed/public-shapes.ts), published in OpenAPI.
 */
export const eventPage = z
  .strictObject({
    object: z.literal("list"),
    data: z.array(eventSchema),
    nextCursor: z.string().meta({ description: "Pass as `after` for the next events; keep it to resume." }),
    hasMore: z.boolean().meta({ description: "More events are ready now; ask again at once." }),
  })
  .meta({ id: "EventPage" });
export type EventPage = z.infer<typeof eventPage>;
export type FeedEvent = EventPage["data"][number];
