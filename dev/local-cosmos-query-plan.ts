import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The Cosmos SDK (@azure/cosmos 4.x) asks for a query plan alongside every query page
 * (`x-ms-cosmos-is-query-plan-request`), and uses the plan only when the page itself fails with a
 * cross-partition error (QueryIterator.needsQueryPlan); a failed plan request is kept as an error and never
 * thrown otherwise. The local server has no planner: it took the plan request for a query and ran it in
 * full, so every tab page ran its query twice in `npm start`'s one process. Refusing the request (400, the
 * answer the SDK already tolerates from a server that cannot plan) spares that second run; the page itself
 * is answered as before, and since the local server never fails a page for want of a plan, the SDK never
 * reads the refusal.
 */
const QUERY_PLAN_HEADER = "x-ms-cosmos-is-query-plan-request";

const isQueryPlanRequest = (req: IncomingMessage) =>
  req.method === "POST" && String(req.headers[QUERY_PLAN_HEADER]).toLowerCase() === "true";

/** Call once the server exists, before it serves anything. */
export function refuseQueryPlans(server: EventEmitter): void {
  const handlers = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (!isQueryPlanRequest(req)) {
      for (const handle of handlers) handle.call(server, req, res);
      return;
    }
    // The body is not needed; reading it lets the connection be reused.
    req.resume();
    req.on("end", () => {
      res.statusCode = 400;
      res.setHeader("content-type", "application/json");
      res.setHeader("x-ms-request-charge", "0");
      res.end(
        JSON.stringify({
          code: "BadRequest",
          message: "The local Cosmos server does not produce query plans: the query is answered directly.",
        }),
      );
    });
  });
}
