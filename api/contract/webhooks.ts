import { z } from "zod";
import { DIRECTORY_EVENT_TYPES } from "../domain/event-types.ts";

/**
 * Webhook endpoints and their deliveries (/api/v1/webhooks): published in the OpenAPI document for
 * applications (api/http/v1/webhook-schemas.ts) and read by the tab's "API and webhooks" page alike.
 */

const timestamp = z.string().meta({ format: "date-time" });
/** The Directory API's event types; published once, as the EventType component. */
const eventTypeSchema = z.enum(DIRECTORY_EVENT_TYPES).meta({ id: "EventType" });

export const pageCursorParam = z
  .string()
  .max(4000)
  .optional()
  .meta({ description: "`nextCursor` of the previous page." });

export const endpointCreate = z
  .strictObject({
    url: z
      .string()
      .max(2000)
      .meta({ description: "An https URL; private and loopback addresses are refused." }),
    description: z.string().max(500).optional(),
    eventTypes: z
      .array(eventTypeSchema)
      .max(50)
      .optional()
      .meta({ description: "Only these types; empty or absent: all." }),
  })
  .meta({ id: "WebhookEndpointCreate" });
export type NewWebhookEndpoint = z.input<typeof endpointCreate>;

export const endpointPatch = z
  .strictObject({
    url: z.string().max(2000).optional(),
    description: z.string().max(500).optional(),
    eventTypes: z.array(eventTypeSchema).max(50).optional(),
    enabled: z
      .boolean()
      .optional()
      .meta({ description: "Switch the endpoint on (clears a disable) or off." }),
  })
  .meta({ id: "WebhookEndpointPatch" });
export type WebhookEndpointPatch = z.input<typeof endpointPatch>;

export const endpointSchema = z
  .strictObject({
    object: z.literal("webhook_endpoint"),
    id: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(eventTypeSchema),
    status: z.enum(["enabled", "disabled"]),
    disabledReason: z.string().nullable(),
    failingSince: timestamp.nullable(),
    secretRotatedAt: timestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "WebhookEndpoint" });
export type WebhookEndpoint = z.infer<typeof endpointSchema>;

export const endpointWithSecret = endpointSchema
  .extend({
    secret: z.string().meta({ description: "The signing secret (whsec_…): shown only in this answer." }),
  })
  .meta({ id: "WebhookEndpointWithSecret" });
export type WebhookEndpointWithSecret = z.infer<typeof endpointWithSecret>;

const attemptSchema = z.strictObject({
  at: timestamp,
  status: z.number().int().meta({ description: "HTTP status; 0 when no answer came." }),
  latencyMs: z.number().int(),
  excerpt: z.string(),
});
export type DeliveryAttempt = z.infer<typeof attemptSchema>;

const deliverySchema = z
  .strictObject({
    object: z.literal("webhook_delivery"),
    id: z.string(),
    eventId: z.string(),
    eventType: eventTypeSchema,
    cursor: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.array(attemptSchema),
    nextAttemptAt: timestamp.nullable(),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDelivery = z.infer<typeof deliverySchema>;

export const endpointList = z
  .strictObject({ object: z.literal("list"), data: z.array(endpointSchema) })
  .meta({ id: "WebhookEndpointList" });
export type WebhookEndpointList = z.infer<typeof endpointList>;
export const deliveryPage = z
  .strictObject({
    object: z.literal("list"),
    data: z.array(deliverySchema),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "WebhookDeliveryPage" });
export type WebhookDeliveryPage = z.infer<typeof deliveryPage>;
export const deliveriesQuery = z.strictObject({
  status: z.enum(["pending", "delivered", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: pageCursorParam,
});
export const redeliverBody = z
  .union([
    z.strictObject({ eventId: z.string().min(1).max(100) }),
    z.strictObject({ after: z.string().regex(/^\d{1,15}$/, "must be a cursor (digits)") }),
  ])
  .meta({ id: "Redeliver", description: "One event by id, or every event after a cursor." });
export type Redeliver = z.input<typeof redeliverBody>;
export const redeliverAnswer = z.strictObject({ queued: z.number().int() }).meta({ id: "RedeliverAnswer" });
export type RedeliverAnswer = z.infer<typeof redeliverAnswer>;
export const testAnswer = attemptSchema.meta({ id: "WebhookTestResult" });
