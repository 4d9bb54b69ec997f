import { Router } from "express";
import { z } from "zod";
import type { ApiKeys } from "../../auth/api-keys.ts";
import { MACHINE_SCOPES } from "../../auth/machine-scopes.ts";
import type { ApiKeyDoc } from "../../store/documents.ts";
import { requireAdmin } from "../principal.ts";
import { badRequest } from "../problem.ts";
import { parseInput } from "../validate.ts";

const createSchema = z
  .object({
    name: z.string().trim().min(1, "give the key a name").max(100),
    scopes: z.array(z.enum(MACHINE_SCOPES)).min(1, "choose at least one scope").max(3),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
const idParam = z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, "not an API key id") });

/** What the tab shows of a key: never its hash, never the key after creation. */
const shown = (doc: ApiKeyDoc) => ({
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
    res.json({ items: (await keys.list(p.tenantId)).map(shown) });
  });
  router.post("/api-keys", async (req, res) => {
    const p = requireAdmin(req);
    const input = parseInput(createSchema, req.body);
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
      .json({ ...shown(doc), key });
  });
  router.delete("/api-keys/:id", async (req, res) => {
    const p = requireAdmin(req);
    const { id } = parseInput(idParam, req.params, "path");
    const doc = await keys.revoke(p.tenantId, id, {
      oid: p.oid,
      name: p.name,
      ...(p.upn ? { upn: p.upn } : {}),
    });
    res.json(shown(doc));
  });
  return router;
}
