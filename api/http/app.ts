import { existsSync } from "node:fs";
import { resolve } from "node:path";
import express, { type RequestHandler, type Router } from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { Logger } from "../logger.ts";
import { type DependencyCheck, healthRoutes } from "./health.ts";
import { errorHandler, notFoundHandler } from "./problem.ts";

/**
 * The hosts Microsoft lists as frame ancestors a tab must allow to run in Teams, the Microsoft 365 app and
 * Outlook (Teams platform docs, "Extend a Teams personal tab across Microsoft 365": all hosts under
 * cloud.microsoft, then each host's older domains, the -sdf ones included).
 */
const TAB_FRAME_ANCESTORS = [
  "https://*.cloud.microsoft",
  "https://teams.microsoft.com",
  "https://*.teams.microsoft.com",
  "https://*.microsoft365.com",
  "https://*.office.com",
  "https://outlook.office.com",
  "https://outlook.office365.com",
  "https://outlook-sdf.office.com",
  "https://outlook-sdf.office365.com",
  "https://outlook.live.com",
];

export interface HttpAppParts {
  logger: Logger;
  checks: DependencyCheck[];
  /** Routes that need no signed-in user: sign-in, consent callbacks, the bot endpoint. */
  publicRoutes: Router[];
  /** Routes that parse their own bodies and answer in their own error format (the SCIM endpoint). */
  ownProtocolRoutes?: Router[];
  /** Establishes the caller (bearer token or session) for everything under /api. */
  authenticate: RequestHandler;
  apiRoutes: Router[];
  /** Folder of the built tab, served at /. */
  tabDist?: string;
  /** Proxy hops whose X-Forwarded-For is trusted (TRUST_PROXY); 0 or absent: none. */
  trustProxy?: number;
}

/**
 * Request log lines without what could open a session: sign-in and consent callbacks carry one-time codes
 * and state in their query string, and the CSRF token travels in a header.
 */
export function withoutSecrets(req: { url?: string; query?: unknown; headers?: Record<string, unknown> }) {
  const url = req.url ?? "";
  const sensitive = url.startsWith("/auth/");
  const { authorization: _a, cookie: _c, "x-csrf-token": _x, ...headers } = req.headers ?? {};
  return {
    ...req,
    url: sensitive ? url.split("?")[0] : url,
    query: sensitive ? undefined : req.query,
    headers,
  };
}

export function createHttpApp(parts: HttpAppParts): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // req.ip keys the per-address limits: trust forwarded addresses only from proxies the deployment has.
  app.set("trust proxy", parts.trustProxy ?? 0);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          "default-src": ["'self'"],
          "script-src": ["'self'", "https://res.cdn.office.net"],
          "style-src": ["'self'", "'unsafe-inline'"],
          "img-src": ["'self'", "data:", "blob:"],
          // teams-js loads from the Office CDN and fetches from it too, inside Teams.
          "connect-src": ["'self'", "https://res.cdn.office.net"],
          // Teams, Outlook and the Microsoft 365 app embed the tab (TAB_FRAME_ANCESTORS).
          "frame-ancestors": ["'self'", ...TAB_FRAME_ANCESTORS],
        },
      },
      frameguard: false,
      // The consent pop-up must keep its opener to report back: Teams (another origin) opens it inside
      // Teams, the tab outside. A same-origin opener policy would cut it loose on its way through Entra ID.
      crossOriginOpenerPolicy: false,
    }),
  );
  app.use(
    pinoHttp({
      logger: parts.logger,
      autoLogging: { ignore: (req) => req.url === "/healthz" },
      serializers: { req: withoutSecrets },
    }),
  );
  for (const router of parts.ownProtocolRoutes ?? []) app.use(router);
  app.use(express.json({ limit: "1mb", strict: true }));
  app.use(express.urlencoded({ extended: false, limit: "100kb" }));
  app.use(healthRoutes(parts.checks));
  for (const router of parts.publicRoutes) app.use(router);
  app.use("/api", parts.authenticate);
  for (const router of parts.apiRoutes) app.use("/api", router);
  app.use("/api", notFoundHandler);
  const tabDist = resolve(parts.tabDist ?? "tab/dist");
  if (existsSync(tabDist)) {
    app.use(express.static(tabDist, { index: "index.html", maxAge: "1h" }));
    // Client-side routes: any other GET for a page serves the app shell.
    app.get(/^\/(?!api\/|auth\/).*/, (_req, res) => res.sendFile(resolve(tabDist, "index.html")));
  }
  app.use(notFoundHandler);
  app.use(errorHandler(parts.logger));
  return app;
}
