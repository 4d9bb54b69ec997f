import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Store } from "../../store/store.ts";
import { requireReader } from "../principal.ts";
import { parseInput } from "../validate.ts";

const querySchema = z
  .object({
    targetId: z.string().max(200).optional(),
    action: z.string().max(100).optional(),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
    continuationToken: z.string().max(4000).optional(),
  })
  .strict();

/** GET /api/audit: who changed what, newest first; secrets were redacted when the entries were written. */
export function auditRoutes(store: Store): Router {
  const router = Router();
  router.get("/audit", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const p = requireReader(req);
      const q = parseInput(querySchema, req.query, "query");
      const conditions: string[] = ["c.type = 'audit'"];
      const parameters: { name: string; value: string }[] = [];
      if (q.targetId) {
        conditions.push("c.target.id = @target");
        parameters.push({ name: "@target", value: q.targetId });
      }
      if (q.action) {
        conditions.push("c.action = @action");
        parameters.push({ name: "@action", value: q.action });
      }
      const page = await store.audit.page(
        p.tenantId,
        { where: conditions.join(" AND "), parameters, orderBy: "c.at DESC" },
        { pageSize: q.pageSize, ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}) },
      );
      res.json({
        items: page.items.map(({ _etag, ...rest }) => stripSystem(rest)),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      });
    } catch (err) {
      next(err);
    }
  });
  return router;
}

const stripSystem = (doc: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith("_")));
