import { Router } from "express";
import type { ApiKeys } from "../../auth/api-keys.ts";
import {
  type ApiKey,
  apiKeyIdParam,
  type CreatedApiKey,
  createApiKeySchema,
} from "../../contract/api-keys.ts";
import type { ApiKeyDoc } from "../../store/documents.ts";
import { requireAdmin } from "../principal.ts";
import { badRequest } from "../problem.ts";
import { parseInput } from "../validate.ts";

/** What the tab shows of a key: never its hash, never the key after creation. */
const shown = (doc: ApiKeyDoc): ApiKey => ({
  id: doc.id,
  name: doc.name,
  prefix: doc.prefix,
  scopes: doc.scopes,
  expiresAt: doc.expiresAt ?? null,
  revokedAt: doc.revokedAt ?? null,
  lastUsedAt: doc.lastUsedAt ?? null,
  createdAt: doc.createdAt,
  createdBy: doc.createdBy.name,
});

/** API keys of the tenant's applications, managed by Directory Sync admins (people only). */
export function apiKeyRoutes(keys: ApiKeys, now: () => number = Date.now): Router {
  const router = Router();
  router.get("/api-keys", async (req, res) => {
    const p = requireAdmin(req);
    res.json({ items: (await keys.list(p.tenantId)).map(shown) } satisfies { items: ApiKey[] });
  });
  router.post("/api-keys", async (req, res) => {
    const p = requireAdmin(req);
    const input = parseInput(createApiKeySchema, req.body);
    if (input.expiresAt && Date.parse(input.expiresAt) <= now())
      throw badRequest("Invalid body: expiresAt: must be in the future", "Choose a later expiry, or none.", {
        expiresAt: "must be in the future",
      });
    const { key, doc } = await keys.create(
      p.tenantId,
      { oid: p.oid, name: p.name, ...(p.upn ? { upn: p.upn } : {}) },
      {
        name: input.name,
        scopes: [...new Set(input.scopes)],
        ...(input.expiresAt ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
      },
    );
    // The only time the key is ever shown.
    res
      .status(201)
      .set("Cache-Control", "no-store")
      .json({ ...shown(doc), key } satisfies CreatedApiKey);
  });
  router.delete("/api-keys/:id", async (req, res) => {
    const p = requireAdmin(req);
    const { id } = parseInput(apiKeyIdParam, req.params, "path");
    const doc = await keys.revoke(p.tenantId, id, {
      oid: p.oid,
      name: p.name,
      ...(p.upn ? { upn: p.upn } : {}),
    });
    res.json(shown(doc));
  });
  return router;
}
