import { Router } from "express";
import type { Principal } from "../../auth/principal.ts";
import {
  type DeliveryAttempt,
  deliveriesQuery,
  endpointCreate,
  endpointPatch,
  type RedeliverAnswer,
  redeliverBody,
  type WebhookDelivery,
  type WebhookDeliveryPage,
  type WebhookEndpoint,
  type WebhookEndpointList,
  type WebhookEndpointWithSecret,
} from "../../contract/webhooks.ts";
import type { Actor } from "../../domain/actor.ts";
import { cursorOf } from "../../feed/public-shapes.ts";
import type { WebhookDeliveryDoc, WebhookEndpointDoc } from "../../store/documents.ts";
import type { Store } from "../../store/store.ts";
import type { WebhookDispatcher } from "../../webhooks/dispatcher.ts";
import { type WebhookEndpoints, WebhookUrlRefused } from "../../webhooks/endpoints.ts";
import { badRequest, notFound } from "../problem.ts";
import { parseInput } from "../validate.ts";
import { idPath } from "./schemas.ts";
import { requireScope } from "./scope.ts";

const shown = (doc: WebhookEndpointDoc): WebhookEndpoint => ({
  object: "webhook_endpoint",
  id: doc.id,
  url: doc.url,
  description: doc.description,
  eventTypes: doc.eventTypes,
  status: doc.status,
  disabledReason: doc.disabled?.reason ?? null,
  failingSince: doc.failingSince ?? null,
  secretRotatedAt: doc.secrets[0]?.createdAt ?? doc.createdAt,
  createdAt: doc.createdAt,
  updatedAt: doc.updatedAt,
});
const shownDelivery = (d: WebhookDeliveryDoc): WebhookDelivery => ({
  object: "webhook_delivery",
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  cursor: cursorOf(d.seq),
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === "pending" ? (d.nextAttemptAt ?? null) : null,
});
const actorOf = (p: Principal): Actor => ({ oid: p.oid, name: p.name, ...(p.upn ? { upn: p.upn } : {}) });
const refusedUrl = (err: unknown) => {
  if (err instanceof WebhookUrlRefused)
    return badRequest(`Invalid body: url: ${err.message}`, "Give the https URL of your receiver.", {
      url: err.message,
    });
  return err;
};

/** Webhook endpoints of the caller's tenant: for applications with webhooks:manage and for admins. */
export function webhookRoutes(
  store: Store,
  endpoints: WebhookEndpoints,
  dispatcher: WebhookDispatcher,
): Router {
  const router = Router();
  const endpointOf = async (tenantId: string, id: string) => {
    const doc = await store.webhookEndpoints.get(tenantId, id);
    if (!doc) throw notFound(`Webhook endpoint ${id}`);
    return doc;
  };

  router.get("/v1/webhooks", async (req, res) => {
    const p = requireScope(req, "webhooks:manage");
    const docs = await store.webhookEndpoints.all(p.tenantId, { orderBy: "c.createdAt ASC" });
    res.json({ object: "list", data: docs.map(shown) } satisfies WebhookEndpointList);
  });
  router.post("/v1/webhooks", async (req, res) => {
    const p = requireScope(req, "webhooks:manage");
    const input = parseInput(endpointCreate, req.body);
    const { doc, secret } = await endpoints.create(p.tenantId, actorOf(p), input).catch((err) => {
      throw refusedUrl(err);
    });
    res
      .status(201)
      .set("cache-control", "no-store")
      .json({ ...shown(doc), secret } satisfies WebhookEndpointWithSecret);
  });
  router.get("/v1/webhooks/:id", async (req, res) => {
    const p = requireScope(req, "webhooks:manage");
    const { id } = parseInput(idPath, req.params, "path");
    res.json(shown(await endpointOf(p.tenantId, id)));
  });
  router.patch("/v1/webhooks/:id", async (req, res) => {
    const p = requireScope(req, "webhooks:manage");
    const { id } = parseInput(idPath, req.params, "path");
    const patch = parseInput(endpointPatch, req.body);
    await endpointOf(p.tenantId, id);
    const doc = await endpoints.update(p.tenantId, id, actorOf(p), patch).catch((err) => {
      throw refusedUrl(err);
    });
    res.json(shown(doc));
  });
  router.delete("/v1/webhooks/:id", async (req, res) => {
    const p = requireScope(req, "webhooks:manage");
    const { id } = parseInput(idPath, req.params, "path");
    await endpointOf(p.tenantId, id);
    await endpoints.remove(p.tenantId, id, actorOf(p));
    res.status(204).end();
  });
  router.post("/v1/webhooks/:id/rotate-secret", async (req, res) => {
    const p = requireScope(req, "webhooks:manage");
    const { id } = parseInput(idPath, req.params, "path");
    await endpointOf(p.tenantId, id);
    const { doc, secret } = await endpoints.rotateSecret(p.tenantId, id, actorOf(p));
    res.set("cache-control", "no-store").json({ ...shown(doc), secret } satisfies WebhookEndpointWithSecret);
  });
  router.post("/v1/webhooks/:id/test", async (req, res) => {
    const p = requireScope(req, "webhooks:manage");
    const { id } = parseInput(idPath, req.params, "path");
    res.json((await dispatcher.testSend(await endpointOf(p.tenantId, id))) satisfies DeliveryAttempt);
  });
  router.get("/v1/webhooks/:id/deliveries", async (req, res) => {
    const p = requireScope(req, "webhooks:manage");
    const { id } = parseInput(idPath, req.params, "path");
    const q = parseInput(deliveriesQuery, req.query, "query");
    await endpointOf(p.tenantId, id);
    const page = await store.webhookDeliveries.page(
      p.tenantId,
      {
        where: q.status ? "c.endpointId = @e AND c.status = @s" : "c.endpointId = @e",
        parameters: [{ name: "@e", value: id }, ...(q.status ? [{ name: "@s", value: q.status }] : [])],
        orderBy: "c.seq DESC",
      },
      { pageSize: q.limit, ...(q.cursor ? { continuationToken: q.cursor } : {}) },
    );
    res.json({
      object: "list",
      data: page.items.map(shownDelivery),
      nextCursor: page.continuationToken ?? null,
    } satisfies WebhookDeliveryPage);
  });
  router.post("/v1/webhooks/:id/redeliver", async (req, res) => {
    const p = requireScope(req, "webhooks:manage");
    const { id } = parseInput(idPath, req.params, "path");
    const body = parseInput(redeliverBody, req.body);
    const endpoint = await endpointOf(p.tenantId, id);
    const queued = await dispatcher.redeliver(
      endpoint,
      "eventId" in body ? { eventId: body.eventId } : { after: Number(body.after) },
    );
    if ("eventId" in body && queued === 0) throw notFound(`Event ${body.eventId}`);
    res.status(202).json({ queued } satisfies RedeliverAnswer);
  });
  return router;
}
