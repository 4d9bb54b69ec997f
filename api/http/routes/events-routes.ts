import { type NextFunction, type Request, type Response, Router } from "express";
import { type AppEvent, appEventsQuerySchema } from "../../contract/app-events.ts";
import type { Page } from "../../contract/common.ts";
import type { EventDoc } from "../../store/documents.ts";
import type { Store } from "../../store/store.ts";
import { requireReader } from "../principal.ts";
import { parseInput } from "../validate.ts";

/** An event as the tab reads it: the document without Cosmos DB's own `_` fields. */
const withoutStoreFields = (doc: EventDoc): AppEvent =>
  Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith("_"))) as EventDoc;

/** GET /api/events: alerts for the tab (reauthorization needed, admin warnings, sync outcomes), newest first. */
export function eventsRoutes(store: Store): Router {
  const router = Router();
  router.get("/events", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const p = requireReader(req);
      const q = parseInput(appEventsQuerySchema, req.query, "query");
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
        items: page.items.map(withoutStoreFields),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      } satisfies Page<AppEvent>);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
