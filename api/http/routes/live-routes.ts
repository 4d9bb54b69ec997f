import { type NextFunction, type Request, type Response, Router } from "express";
import type { ConnectionsService } from "../../connections/service.ts";
import { connectionIdParam, type LiveStatus } from "../../contract/connections.ts";
import { liveStatusOf } from "../../live/status.ts";
import type { LiveSubscriptions } from "../../live/subscriptions.ts";
import { requireReader } from "../principal.ts";
import { parseInput } from "../validate.ts";
import { mapRefusal } from "./connection-routes.ts";

/** GET /api/connections/:id/live: whether Graph change notifications drive the connection, or why not. */
export function liveRoutes(connections: ConnectionsService, live: LiveSubscriptions): Router {
  const router = Router();
  router.get("/connections/:id/live", (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const p = requireReader(req);
      const { id } = parseInput(connectionIdParam, req.params, "path");
      const connection = await connections.get(p.tenantId, id);
      res.json(liveStatusOf(connection, await live.get(p.tenantId, id)) satisfies LiveStatus);
    })().catch((err) => next(mapRefusal(err)));
  });
  return router;
}
