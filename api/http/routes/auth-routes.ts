import { randomBytes } from "node:crypto";
import { CryptoProvider, ResponseMode } from "@azure/msal-node";
import { type NextFunction, type Request, type Response, Router } from "express";
import { rateLimit } from "express-rate-limit";
import { ConsentError, type ConsentFlows } from "../../auth/consent.ts";
import type { ConnectionCredentials } from "../../auth/credentials.ts";
import { latestRefreshToken, type Sessions } from "../../auth/sessions.ts";
import type { TokenValidator } from "../../auth/token-validator.ts";
import type { Logger } from "../../logger.ts";
import { readCookie, SECURE_SESSION_COOKIE, SESSION_COOKIE } from "../authenticate.ts";
import { HttpProblem } from "../problem.ts";

export interface AuthRouteOptions {
  publicUrl: string;
  loginTenant: string;
  apiScope: string;
  sessions: Pick<Sessions, "start" | "end" | "sealLogin" | "openLogin">;
  validator: TokenValidator;
  credentials: ConnectionCredentials;
  consent: ConsentFlows;
  logger: Logger;
  perIpPerMinute?: number;
  perTenantPerMinute?: number;
}

const LOGIN_COOKIE = "eds_login";
const SESSION_SECONDS = 8 * 3600;

/** Only same-site paths: an open redirect after sign-in would hand users to anyone. */
const safeReturnTo = (v: unknown) => (typeof v === "string" && /^\/(?![/\\])[^\s]*$/.test(v) ? v : "/");

/**
 * Public routes: standalone browser sign-in (authorization code + PKCE through msal-node, ending in an
 * encrypted httpOnly session cookie) and the admin-consent redirect target. Rate limited per address, and
 * the consent callback also per tenant (the one its signed state names).
 */
export function authRoutes(o: AuthRouteOptions): Router {
  const router = Router();
  const secure = o.publicUrl.startsWith("https://");
  const sessionCookie = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
  const pkce = new CryptoProvider();
  const tooMany = (_req: Request, _res: Response, next: NextFunction) =>
    next(
      new HttpProblem(429, {
        code: "rate-limited",
        message: "Too many sign-in requests",
        remedy: "Wait a minute and try again.",
      }),
    );
  router.use(
    "/auth",
    rateLimit({
      windowMs: 60_000,
      limit: o.perIpPerMinute ?? 60,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      // req.ip honours X-Forwarded-For only from configured proxies (TRUST_PROXY).
      validate: { xForwardedForHeader: false },
      handler: tooMany,
    }),
  );
  const perTenant = rateLimit({
    windowMs: 60_000,
    limit: o.perTenantPerMinute ?? 30,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    // The tenant signed into `state` by the API, not the `tenant` parameter anyone can write: callbacks
    // without a valid state share one bucket.
    keyGenerator: async (req) => `tenant:${(await o.consent.tenantOfState(req.query.state)) ?? "unsigned"}`,
    validate: { xForwardedForHeader: false },
    handler: tooMany,
  });
  const cookieOptions = { httpOnly: true, secure, sameSite: "lax" as const, path: "/" };
  const redirectUri = `${o.publicUrl}/auth/callback`;
  const scopes = [o.apiScope];

  router.get("/auth/login", async (req, res, next) => {
    try {
      const { verifier, challenge } = await pkce.generatePkceCodes();
      const state = randomBytes(16).toString("base64url");
      const nonce = randomBytes(16).toString("base64url");
      const tx = await o.sessions.sealLogin({
        state,
        verifier,
        nonce,
        returnTo: safeReturnTo(req.query.returnTo),
      });
      const url = await o.credentials.productClient(o.loginTenant).getAuthCodeUrl({
        scopes,
        redirectUri,
        state,
        nonce,
        codeChallenge: challenge,
        codeChallengeMethod: "S256",
        prompt: "select_account",
        responseMode: ResponseMode.QUERY,
      });
      res.cookie(LOGIN_COOKIE, tx, { ...cookieOptions, maxAge: 600_000 });
      res.redirect(302, url);
    } catch (err) {
      next(err);
    }
  });

  router.get("/auth/callback", async (req, res, next) => {
    try {
      const raw = readCookie(req, LOGIN_COOKIE);
      const tx = raw ? await o.sessions.openLogin(raw) : undefined;
      res.clearCookie(LOGIN_COOKIE, cookieOptions);
      if (!tx || typeof req.query.state !== "string" || req.query.state !== tx.state)
        throw new HttpProblem(400, {
          code: "login-state",
          message: "The sign-in answer does not match a sign-in started here",
          remedy: "Start signing in again.",
        });
      if (typeof req.query.error === "string")
        throw new HttpProblem(401, {
          code: "login-failed",
          message: `Sign-in failed: ${req.query.error}`,
          remedy: "Try again, or ask an admin to grant consent to the app.",
        });
      if (typeof req.query.code !== "string")
        throw new HttpProblem(400, {
          code: "login-code",
          message: "The sign-in answer carried no code",
          remedy: "Start signing in again.",
        });
      const tenant = typeof req.query.tenant === "string" ? req.query.tenant : o.loginTenant;
      const client = o.credentials.productClient(o.loginTenant);
      const result = await client.acquireTokenByCode({
        code: req.query.code,
        codeVerifier: tx.verifier,
        redirectUri,
        scopes,
        state: tx.state,
        nonce: tx.nonce,
      });
      // The same validation as a Teams SSO token: the session is exactly as trustworthy as a bearer call.
      const verified = await o.validator.validate(result.accessToken);
      // The refresh token stays on the server: with it the session re-reads the account's rights.
      const { cookie } = await o.sessions.start(
        {
          tid: verified.tid,
          oid: verified.oid,
          name: verified.name,
          ...(verified.upn ? { upn: verified.upn } : {}),
          roles: verified.roles,
          wids: verified.wids,
        },
        latestRefreshToken(client),
      );
      o.logger.info({ tenantId: verified.tid, oid: verified.oid, loginTenant: tenant }, "standalone sign-in");
      res.cookie(sessionCookie, cookie, { ...cookieOptions, maxAge: SESSION_SECONDS * 1000 });
      res.redirect(302, tx.returnTo);
    } catch (err) {
      next(
        err instanceof HttpProblem
          ? err
          : new HttpProblem(401, {
              code: "login-failed",
              message: "Sign-in could not be completed",
              remedy: "Start signing in again.",
            }),
      );
      if (!(err instanceof HttpProblem))
        o.logger.warn({ err: (err as Error).message }, "standalone sign-in failed");
    }
  });

  router.post("/auth/logout", async (req, res, next) => {
    try {
      // Ends the session on the server, so a copy of the cookie is worth nothing afterwards.
      await o.sessions.end(readCookie(req, SECURE_SESSION_COOKIE) ?? readCookie(req, SESSION_COOKIE));
      res.clearCookie(sessionCookie, cookieOptions);
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  // Browsers (the consent pop-up or Teams' authentication window) end on the tab's consent-done page, which
  // reports the outcome to the window that opened it; API clients asking for JSON get the outcome as JSON.
  const consentDone = (ok: boolean, code?: string) =>
    `${o.publicUrl}/index.html#/consent-done?${new URLSearchParams(ok ? { ok: "1" } : { ok: "0", error: code ?? "consent-failed" })}`;
  router.get("/auth/consent/callback", perTenant, async (req, res, next) => {
    const wantsJson = req.accepts(["html", "json"]) === "json";
    try {
      const outcome = await o.consent.callback(req.query as Record<string, string | undefined>);
      if (outcome.type === "redirect") {
        res.redirect(302, outcome.url);
        return;
      }
      if (!wantsJson) {
        res.redirect(302, consentDone(outcome.ok, outcome.ok ? undefined : outcome.code));
        return;
      }
      res
        .status(outcome.ok ? 200 : 400)
        .json(
          outcome.ok
            ? outcome
            : { error: { code: outcome.code, message: outcome.message, remedy: outcome.remedy } },
        );
    } catch (err) {
      const problem =
        err instanceof ConsentError
          ? new HttpProblem(400, { code: err.code, message: err.message, remedy: err.remedy })
          : new HttpProblem(400, {
              code: "consent-failed",
              message: "The consent could not be completed",
              remedy: "Start again from the connection.",
            });
      if (!(err instanceof ConsentError))
        o.logger.warn({ err: (err as Error).message }, "consent callback failed");
      if (wantsJson) return next(problem);
      res.redirect(302, consentDone(false, problem.problem.code));
    }
  });

  return router;
}
