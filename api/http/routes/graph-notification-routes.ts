import { Router } from "express";
import { z } from "zod";
import { type GraphNotification, notificationCollectionSchema } from "../../live/notifications.ts";
import type { Logger } from "../../logger.ts";
import { parseInput } from "../validate.ts";

export const NOTIFICATION_PATH = "/graph/notifications";
export const LIFECYCLE_PATH = "/graph/lifecycle";

const validationQuery = z.object({ validationToken: z.string().min(1).max(2000) });

/**
 * Where Microsoft Graph posts change and lifecycle notifications. Public (Graph sends no token): each
 * notification proves itself by its subscription id and clientState, checked after the answer. Graph's
 * validation request gets its token back as text/plain; a notification collection gets 202 at once (Graph
 * wants an answer within seconds) and the work happens afterwards. Forged notifications get 202 too, as
 * Microsoft advises, so a forger learns nothing from the answer.
 */
export function graphNotificationRoutes(
  handle: (items: GraphNotification[]) => Promise<void>,
  logger: Logger,
): Router {
  const router = Router();
  for (const path of [NOTIFICATION_PATH, LIFECYCLE_PATH]) {
    router.post(path, (req, res) => {
      if (req.query.validationToken !== undefined) {
        const { validationToken } = parseInput(validationQuery, req.query, "query");
        res.status(200).type("text/plain").send(validationToken);
        return;
      }
      const { value } = parseInput(notificationCollectionSchema, req.body);
      res.status(202).end();
      handle(value).catch((err) => logger.warn({ err }, "change notifications could not be handled"));
    });
  }
  return router;
}
