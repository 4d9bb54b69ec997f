import { z } from "zod";
import { problemSchema } from "./common.ts";

/** GET /api/events: alerts for the tab (reauthorization needed, admin warnings, sync outcomes), newest first. */

/** The kinds a reader may filter by; the API stores a few more (a switched-off webhook) and lists them too. */
const EVENT_KINDS = [
  "sync-finished",
  "sync-failed",
  "sync-halted",
  "needs-reauth",
  "admin-warning",
  "delivery-failed",
] as const;

export const appEventsQuerySchema = z
  .object({
    connectionId: z.string().max(100).optional(),
    kind: z.enum(EVENT_KINDS).optional(),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
    continuationToken: z.string().max(4000).optional(),
  })
  .strict();

export const appEventSchema = z.object({
  id: z.string(),
  kind: z.enum([...EVENT_KINDS, "webhook-disabled"]),
  connectionId: z.string().optional(),
  webhookEndpointId: z.string().optional(),
  taskId: z.string().optional(),
  problem: problemSchema.optional(),
  summary: z.string(),
  createdAt: z.string(),
  delivery: z
    .object({
      status: z.enum(["pending", "delivered", "skipped", "failed"]),
      at: z.string().optional(),
      error: z.string().optional(),
    })
    .optional(),
});
export type AppEvent = z.infer<typeof appEventSchema>;
export type EventKind = AppEvent["kind"];
