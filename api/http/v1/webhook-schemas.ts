import type { OpenAPIRegistry, RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { eventTypeSchema } from "../../feed/public-shapes.ts";
import { idPath, pageCursorParam } from "./schemas.ts";

const timestamp = z.string().meta({ format: "date-time" });

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

const endpointSchema = z
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

const endpointWithSecret = endpointSchema
  .extend({
    secret: z.string().meta({ description: "The signing secret (whsec_…): shown only in this answer." }),
  })
  .meta({ id: "WebhookEndpointWithSecret" });

const attemptSchema = z.strictObject({
  at: timestamp,
  status: z.number().int().meta({ description: "HTTP status; 0 when no answer came." }),
  latencyMs: z.number().int(),
  excerpt: z.string(),
});

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

const endpointList = z
  .strictObject({ object: z.literal("list"), data: z.array(endpointSchema) })
  .meta({ id: "WebhookEndpointList" });
const deliveryPage = z
  .strictObject({
    object: z.literal("list"),
    data: z.array(deliverySchema),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "WebhookDeliveryPage" });
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
const redeliverAnswer = z.strictObject({ queued: z.number().int() }).meta({ id: "RedeliverAnswer" });
const testAnswer = attemptSchema.meta({ id: "WebhookTestResult" });

type Json = (
  schema: z.ZodType,
  description: string,
) => { description: string; content: Record<string, { schema: z.ZodType }> };

/** The webhook operations in the OpenAPI document. */
export function webhookOpenApi(
  route: (config: RouteConfig) => void,
  _registry: OpenAPIRegistry,
  parts: { json: Json; errors: RouteConfig["responses"]; notFound: RouteConfig["responses"] },
) {
  const { json, errors, notFound } = parts;
  const body = (schema: z.ZodType) => ({
    body: { content: { "application/json": { schema } }, required: true },
  });
  const manage = "Scope webhooks:manage.";
  route({
    method: "get",
    path: "/v1/webhooks",
    summary: "List webhook endpoints",
    description: manage,
    responses: { 200: json(endpointList, "The endpoints."), ...errors },
  });
  route({
    method: "post",
    path: "/v1/webhooks",
    summary: "Register a webhook endpoint",
    description: `${manage} Deliveries are signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature); the id is the event id.`,
    request: body(endpointCreate),
    responses: {
      201: json(endpointWithSecret, "The endpoint and its signing secret (shown once)."),
      ...errors,
    },
  });
  route({
    method: "get",
    path: "/v1/webhooks/{id}",
    summary: "Get a webhook endpoint",
    request: { params: idPath },
    responses: { 200: json(endpointSchema, "The endpoint."), ...errors, ...notFound },
  });
  route({
    method: "patch",
    path: "/v1/webhooks/{id}",
    summary: "Change or switch a webhook endpoint",
    request: { params: idPath, ...body(endpointPatch) },
    responses: { 200: json(endpointSchema, "The endpoint."), ...errors, ...notFound },
  });
  route({
    method: "delete",
    path: "/v1/webhooks/{id}",
    summary: "Remove a webhook endpoint",
    request: { params: idPath },
    responses: { 204: { description: "Removed." }, ...errors, ...notFound },
  });
  route({
    method: "post",
    path: "/v1/webhooks/{id}/rotate-secret",
    summary: "Rotate the signing secret",
    description: "The previous secret keeps signing (a second signature) for 24 hours.",
    request: { params: idPath },
    responses: {
      200: json(endpointWithSecret, "The endpoint and its new secret (shown once)."),
      ...errors,
      ...notFound,
    },
  });
  route({
    method: "post",
    path: "/v1/webhooks/{id}/test",
    summary: "Send a signed test event now",
    request: { params: idPath },
    responses: { 200: json(testAnswer, "How the receiver answered."), ...errors, ...notFound },
  });
  route({
    method: "get",
    path: "/v1/webhooks/{id}/deliveries",
    summary: "The endpoint's delivery log",
    request: { params: idPath, query: deliveriesQuery },
    responses: {
      200: json(
        deliveryPage,
        "Deliveries, newest first, with each attempt's status, latency and answer excerpt.",
      ),
      ...errors,
      ...notFound,
    },
  });
  route({
    method: "post",
    path: "/v1/webhooks/{id}/redeliver",
    summary: "Deliver one event again, or everything after a cursor",
    request: { params: idPath, ...body(redeliverBody) },
    responses: { 202: json(redeliverAnswer, "Queued."), ...errors, ...notFound },
  });
}
