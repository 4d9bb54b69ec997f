import type { NextFunction, Request, RequestHandler, Response } from "express";
import { rateLimit } from "express-rate-limit";
import { API_KEY_PREFIX, type ApiKeys } from "../auth/api-keys.ts";
import { scopesOfAppRoles } from "../auth/machine-scopes.ts";
import type { Principal } from "../auth/principal.ts";
import { decideRoles, type RolePolicy } from "../auth/roles.ts";
import { type SessionData, sameToken } from "../auth/session.ts";
import type { Sessions } from "../auth/sessions.ts";
import { TokenRejected, type TokenValidator } from "../auth/token-validator.ts";
import { principalOf, setPrincipal } from "./principal.ts";
import { HttpProblem } from "./problem.ts";

export const SESSION_COOKIE = "eds_session";
export const SECURE_SESSION_COOKIE = "__Host-eds_session";
const CSRF_HEADER = "x-csrf-token";

export interface AuthenticateOptions {
  validator: TokenValidator;
  sessions: Pick<Sessions, "open">;
  policy: RolePolicy;
  /** API keys of tenants' applications; without it only people (tokens and sessions) are accepted. */
  apiKeys?: ApiKeys;
  /** Requests per minute per tenant across /api; generous, it stops runaway clients not people. */
  perTenantPerMinute?: number;
  /** Failed sign-in attempts per minute per IP before answering 429. */
  failuresPerIpPerMinute?: number;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const SESSION_FOR = Symbol("session");

export function sessionOf(req: Request): SessionData | undefined {
  return (req as unknown as Record<symbol, SessionData | undefined>)[SESSION_FOR];
}

function principalFromClaims(
  claims: { tid: string; oid: string; name: string; upn?: string; roles: string[]; wids: string[] },
  policy: RolePolicy,
  via: Principal["via"],
): Principal {
  return {
    tenantId: claims.tid,
    oid: claims.oid,
    name: claims.name,
    ...(claims.upn ? { upn: claims.upn } : {}),
    ...decideRoles(claims, policy),
    via,
  };
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

const problem429 = (what: string) =>
  new HttpProblem(429, {
    code: "rate-limited",
    message: `Too many ${what}; slow down`,
    remedy: "Wait a minute and try again.",
  });

/**
 * Establishes the caller for everything under /api: a Teams SSO bearer token (validated on every call) or
 * the standalone session cookie (then state-changing requests must echo the CSRF token). Failed attempts
 * are rate limited per address (and never hold up a valid token), signed-in traffic per tenant.
 */
export function createAuthenticate(options: AuthenticateOptions): RequestHandler {
  // Counts only requests that already failed to authenticate (see below), so it never sees a valid token.
  const failures = rateLimit({
    windowMs: 60_000,
    limit: options.failuresPerIpPerMinute ?? 30,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    // req.ip honours X-Forwarded-For only from configured proxies; a direct caller's header is ignored.
    validate: { xForwardedForHeader: false },
    handler: (_req, _res, next) => next(problem429("failed sign-in attempts from your address")),
  });
  const perTenant = rateLimit({
    windowMs: 60_000,
    limit: options.perTenantPerMinute ?? 1200,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    keyGenerator: (req) => `tenant:${principalTenant(req)}`,
    handler: (_req, _res, next) => next(problem429("requests for your organization")),
  });

  const identify = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const auth = req.headers.authorization;
      if (auth) {
        const [scheme, token] = auth.split(" ");
        if (scheme?.toLowerCase() !== "bearer" || !token)
          throw new TokenRejected("token-missing", "The Authorization header must be 'Bearer <token>'");
        if (token.startsWith(API_KEY_PREFIX) && options.apiKeys) {
          const key = await options.apiKeys.verify(token);
          setPrincipal(
            req,
            machinePrincipal(req, key.tenantId, `key:${key.keyId}`, key.name, "api-key", {
              scopes: key.scopes,
              keyId: key.keyId,
            }),
          );
          return next();
        }
        const verified = await options.validator.validate(token, { acceptApp: true });
        if (verified.app) {
          const scopes = scopesOfAppRoles(verified.roles);
          // An app token without any of the Directory API's app roles is nobody this API knows.
          if (scopes.length === 0)
            throw new TokenRejected(
              "token-not-delegated",
              "The access token has no user (scp) and none of this API's application roles (such as DirectorySync.Directory.Read)",
            );
          const appId = String(verified.claims.azp ?? verified.claims.appid ?? verified.oid);
          setPrincipal(
            req,
            machinePrincipal(req, verified.tid, verified.oid, `application ${appId}`, "app-token", {
              scopes,
              appId,
            }),
          );
          return next();
        }
        setPrincipal(req, principalFromClaims(verified, options.policy, "bearer"));
        return next();
      }
      const cookie = readCookie(req, SECURE_SESSION_COOKIE) ?? readCookie(req, SESSION_COOKIE);
      if (!cookie) throw new TokenRejected("unauthenticated", "You are not signed in");
      // Rights are re-read from Entra ID before anything changes state, and every few minutes otherwise.
      const session = await options.sessions.open(cookie, { stateChanging: !SAFE_METHODS.has(req.method) });
      if (!session)
        throw new TokenRejected(
          "session-ended",
          "Your session has ended: you signed out, it expired, or Microsoft Entra ID no longer signs this account in",
        );
      if (!SAFE_METHODS.has(req.method) && !sameToken(req.get(CSRF_HEADER), session.csrf))
        throw new HttpProblem(403, {
          code: "csrf-failed",
          message: "This request did not carry the page's anti-forgery token (X-CSRF-Token)",
          remedy: "Reload the page and try again.",
        });
      (req as unknown as Record<symbol, SessionData>)[SESSION_FOR] = session;
      setPrincipal(req, principalFromClaims(session, options.policy, "session"));
      return next();
    } catch (err) {
      if (err instanceof TokenRejected) {
        if (err.status === 401) res.set("WWW-Authenticate", `Bearer error="invalid_token"`);
        return next(
          new HttpProblem(err.status, {
            code: err.code,
            message: err.message,
            remedy:
              err.status === 503
                ? "Retry in a moment."
                : err.code.startsWith("api-key")
                  ? "Ask a Directory Sync admin for a valid API key (tab: API and webhooks)."
                  : err.status === 403
                    ? "Sign in with an account of an organization that uses this app."
                    : "Sign in again (inside Teams, reload the tab).",
          }),
        );
      }
      return next(err);
    }
  };

  // Identify first: a valid token or session goes on whatever others sent from the same address, so bad
  // tokens from a shared office IP (or an attacker's) never lock a signed-in admin out. Each failure counts
  // against the address, and past the limit a failing caller gets 429 instead of another 401.
  return (req, res, next) => {
    identify(req, res, (err?: unknown) => {
      if (!err) return perTenant(req, res, next);
      if (!(err instanceof HttpProblem && err.status === 401)) return next(err);
      failures(req, res, (limitErr?: unknown) => next(limitErr ?? err));
    });
  };
}

/**
 * An application's principal: no admin or reader rights, so every route for people refuses it, and it may
 * only call the Directory API (/api/v1).
 */
function machinePrincipal(
  req: Request,
  tenantId: string,
  oid: string,
  name: string,
  via: "api-key" | "app-token",
  machine: NonNullable<Principal["machine"]>,
): Principal {
  if (!req.path.startsWith("/v1/"))
    throw new HttpProblem(403, {
      code: "machine-not-allowed",
      message: `${via === "api-key" ? "An API key" : "An app-only token"} can call only the Directory API (/api/v1), not ${req.method} /api${req.path}`,
      remedy: "Use /api/v1 routes from applications; people use the tab for everything else.",
    });
  return {
    tenantId,
    oid,
    name,
    isAdmin: false,
    canRead: false,
    roleSource: `is an application (${via}), not a person`,
    via,
    machine,
  };
}

function principalTenant(req: Request): string {
  try {
    return principalOf(req).tenantId;
  } catch {
    return "unknown";
  }
}
