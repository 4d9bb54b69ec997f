import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Store } from "../../store/store.ts";
import { requireReader } from "../principal.ts";
import { parseInput } from "../validate.ts";

const querySchema = z
  .object({
    connectionId: z.string().max(100).optional(),
    kind: z
      .enum([
        "sync-finished",
        "sync-failed",
        "sync-halted",
        "needs-reauth",
        "admin-warning",
        "delivery-failed",
      ])
      .optional(),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
    continuationToken: z.string().max(4000).optional(),
  })
  .strict();

/** GET /api/events: alerts for the tab (reauthorization needed, admin warnings, sync outcomes), newest first. */
export function eventsRoutes(store: Store): Router {
  const router = Router();
  router.get("/events", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const p = requireReader(req);
      const q = parseInput(querySchema, req.query, "query");
      const where = ["c.type = 'event'"];
      const parameters: { name: string; value: string }[] = [];
      if (q.connectionId) {
        where.push("c.connectionId = @connection");
        parameters.push({ name: "@connection", value: q.connectionId });
      }
      if (q.kind) {
        where.push("c.kind = @kind");
        parameters.push({ name: "@kind", value: q.kind });
      }
      const page = await store.events.page(
        p.tenantId,
        { where: where.join(" AND "), parameters, orderBy: "c.createdAt DESC" },
        { pageSize: q.pageSize, ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}) },
      );
      res.json({
        items: page.items.map((e) =>
          Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith("_"))),
        ),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
