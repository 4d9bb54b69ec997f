import type { OpenAPIRegistry, RouteConfig } from "@asteasolutions/zod-to-openapi";
import type { z } from "zod";
import {
  deliveriesQuery,
  deliveryPage,
  endpointCreate,
  endpointList,
  endpointPatch,
  endpointSchema,
  endpointWithSecret,
  redeliverAnswer,
  redeliverBody,
  testAnswer,
} from "../../contract/webhooks.ts";
import { idPath } from "./schemas.ts";

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
