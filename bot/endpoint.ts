import type { Activity, TurnContext } from "botbuilder";
import express, { type Response, type Router } from "express";
import type { BotEndpointAdapter } from "./adapter.ts";
import type { BotLogger } from "./ports.ts";
import { isConnectorServiceUrl } from "./service-urls.ts";

export interface BotEndpointOptions {
  adapter: BotEndpointAdapter;
  /** The bot's turn handler. */
  run(context: TurnContext): Promise<void>;
  /** An app id is configured: every activity carries a connector token, and replies go only to its hosts. */
  signed: boolean;
  logger: BotLogger;
}

/** Answers in the API's error shape: a code, a plain message, a remedy; never an error's own text. */
function refuse(res: Response, status: number, code: string, message: string, remedy: string): void {
  if (status === 401) res.set("WWW-Authenticate", 'Bearer error="invalid_token"');
  res.status(status).json({ error: { code, message, remedy } });
}

/** Errors of the token itself (jsonwebtoken's names), as opposed to failing to fetch the keys to check it. */
const TOKEN_ERRORS = new Set(["JsonWebTokenError", "NotBeforeError", "TokenExpiredError"]);

const rejectsToken = (err: unknown) => {
  const { statusCode, name } = (err ?? {}) as { statusCode?: unknown; name?: unknown };
  return statusCode === 401 || statusCode === 403 || TOKEN_ERRORS.has(String(name));
};

/**
 * POST /api/messages. The adapter checks the connector's token first; a token it rejects gets 401, and a token
 * it cannot check (the Bot Framework's signing keys unreachable) gets 503 so the connector retries, both
 * without the underlying error. In signed mode an activity whose serviceUrl is not a Bot Connector host is
 * refused before the bot runs, so nothing is ever posted there.
 */
export function botEndpoint(options: BotEndpointOptions): Router {
  const router = express.Router();
  router.post("/api/messages", express.json({ limit: "1mb" }), async (req, res) => {
    const activity = req.body as Partial<Activity> | undefined;
    if (
      !activity ||
      typeof activity !== "object" ||
      Array.isArray(activity) ||
      typeof activity.type !== "string"
    )
      return refuse(
        res,
        400,
        "invalid-activity",
        "The body is not a Bot Framework activity (a JSON object with a type)",
        "Send activities the way the Bot Connector does.",
      );
    let turnStarted = false;
    let serviceUrlRefused = false;
    try {
      const invokeResponse = await options.adapter.runTurn(
        req.get("authorization") ?? "",
        activity as Activity,
        async (context) => {
          if (options.signed && !isConnectorServiceUrl(context.activity.serviceUrl)) {
            serviceUrlRefused = true;
            return;
          }
          turnStarted = true;
          await options.run(context);
        },
      );
      if (serviceUrlRefused) {
        options.logger.warn(
          { serviceUrl: String(activity.serviceUrl ?? "").slice(0, 100), activityType: activity.type },
          "bot: refused an activity whose serviceUrl is not a Bot Connector host",
        );
        return refuse(
          res,
          403,
          "service-url-refused",
          "The activity's serviceUrl is not a Microsoft Bot Connector address",
          "Only Microsoft Teams, through the Bot Connector, may talk to this bot.",
        );
      }
      res.status(invokeResponse?.status ?? 200);
      if (invokeResponse?.body !== undefined) res.json(invokeResponse.body);
      else res.end();
    } catch (err) {
      const reason = String((err as Error)?.message ?? err).slice(0, 200);
      if (turnStarted) {
        options.logger.error({ reason, activityType: activity.type }, "bot: turn failed");
        return refuse(
          res,
          500,
          "internal",
          "The bot could not handle this activity",
          "Try again in a minute; if it keeps failing, check Directory Sync in the tab.",
        );
      }
      if (rejectsToken(err)) {
        options.logger.warn(
          { reason, activityType: activity.type },
          "bot: refused an unauthenticated activity",
        );
        return refuse(
          res,
          401,
          "unauthenticated",
          "The request did not carry a valid Bot Framework token",
          "Only the Microsoft Bot Connector may call this endpoint.",
        );
      }
      options.logger.warn({ reason, activityType: activity.type }, "bot: could not check the sender's token");
      return refuse(
        res,
        503,
        "sender-unverifiable",
        "The sender's token could not be checked right now",
        "Retry in a moment; the Bot Connector retries on its own.",
      );
    }
  });
  return router;
}
