import { Router } from "express";
import { MemoryStore, type Options } from "express-rate-limit";
import { z } from "zod";
import { type GraphNotification, notificationCollectionSchema } from "../../live/notifications.ts";
import type { Logger } from "../../logger.ts";
import { HttpProblem } from "../problem.ts";
import { parseInput } from "../validate.ts";

export const NOTIFICATION_PATH = "/graph/notifications";
export const LIFECYCLE_PATH = "/graph/lifecycle";

const validationQuery = z.object({ validationToken: z.string().min(1).max(2000) });

export interface ForgeryLimit {
  /** Refused notifications an address may send per window before its posts are answered 429. */
  maxRejected: number;
  windowMs: number;
}

/**
 * Generous: Microsoft Graph's own senders send refused notifications only for a subscription this service no
 * longer knows (one left behind by a deleted connection until it expires). A quick 429 loses nothing real:
 * Graph keeps retrying a notification answered with any error within 10 seconds, with exponential backoff, for
 * up to 4 hours ("Receive change notifications through webhooks"), and the schedule stays the safety net.
 */
const DEFAULT_FORGERY_LIMIT: ForgeryLimit = { maxRejected: 1000, windowMs: 60_000 };

/**
 * Where Microsoft Graph posts change and lifecycle notifications. Public (Graph sends no token): each
 * notification proves itself by its subscription id and clientState, checked after the answer. Graph's
 * validation request gets its token back as text/plain; a notification collection gets 202 at once (Graph
 * wants an answer within seconds) and the work happens afterwards. Forged notifications get 202 too, as
 * Microsoft advises, so a forger learns nothing from the answer; but each refused one is counted against the
 * sender's address, and an address over the limit gets 429 before its body is read, so a flood of forgeries
 * cannot turn into a flood of database lookups and log lines.
 */
export function graphNotificationRoutes(
  handle: (items: GraphNotification[]) => Promise<{ rejected: number }>,
  logger: Logger,
  limit: ForgeryLimit = DEFAULT_FORGERY_LIMIT,
): Router {
  const refusals = new MemoryStore();
  refusals.init({ windowMs: limit.windowMs } as Options);
  const router = Router();
  for (const path of [NOTIFICATION_PATH, LIFECYCLE_PATH]) {
    router.post(path, async (req, res, next) => {
      // Graph's validation request (subscription creation and renewal) costs no lookup: never limited.
      if (req.query.validationToken !== undefined) {
        const { validationToken } = parseInput(validationQuery, req.query, "query");
        res.status(200).type("text/plain").send(validationToken);
        return;
      }
      // req.ip honours X-Forwarded-For only from configured proxies (TRUST_PROXY).
      const sender = req.ip ?? "unknown";
      const seen = await refusals.get(sender);
      if (seen && seen.totalHits >= limit.maxRejected) {
        const retryAfter = Math.max(1, Math.ceil(((seen.resetTime?.getTime() ?? 0) - Date.now()) / 1000));
        res.set("Retry-After", String(retryAfter));
        next(
          new HttpProblem(429, {
            code: "rate-limited",
            message: "Too many refused change notifications from your address",
            remedy: `Only Microsoft Graph's notifications for this service's own subscriptions are accepted. Try again in ${retryAfter} seconds.`,
          }),
        );
        return;
      }
      const { value } = parseInput(notificationCollectionSchema, req.body);
      res.status(202).end();
      handle(value)
        .then(async ({ rejected }) => {
          for (let i = 0; i < rejected; i++) await refusals.increment(sender);
        })
        .catch((err) => logger.warn({ err }, "change notifications could not be handled"));
    });
  }
  return router;
}
