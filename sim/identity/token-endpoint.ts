import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import { jwtVerify } from "jose";
import { PRODUCT_APP } from "../constants.ts";
import type { SimDirectory } from "../directory/directory.ts";
import { findUser } from "../directory/directory.ts";
import type { TenantState } from "../directory/state.ts";
import type { SimApp, SimUser } from "../types.ts";
import { AadError, aad, sendAadError } from "./aad-errors.ts";
import { signingKey } from "./keys.ts";
import {
  ACCESS_TOKEN_SECONDS,
  apiAppToken,
  apiUserToken,
  clientInfo,
  type GrantStore,
  graphAppToken,
  graphUserToken,
  idToken,
  parseScopes,
  type ScopeRequest,
} from "./tokens.ts";

type Body = Record<string, string | undefined>;

/** POST /{tenant}/oauth2/v2.0/token: the grants the product uses, with Entra's error answers. */
export function tokenEndpoint(dir: SimDirectory, grants: GrantStore) {
  return async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Body;
    try {
      const result = await handle(dir, grants, String(req.params.tenant), body, req.headers.authorization);
      res.set("Cache-Control", "no-store, no-cache").set("Pragma", "no-cache").json(result);
    } catch (err) {
      if (err instanceof AadError) {
        sendAadError(res, err, dir.now(), req.get("client-request-id"));
        return;
      }
      throw err;
    }
  };
}

async function handle(dir: SimDirectory, grants: GrantStore, segment: string, body: Body, basic?: string) {
  const grantType = body.grant_type;
  if (!grantType) throw aad.missingParam("grant_type");
  const generic = segment === "common" || segment === "organizations" || segment === "consumers";
  const tenant = generic ? undefined : dir.resolveTenant(segment);
  if (!generic && !tenant) throw aad.tenantNotFound(segment);
  const { clientId, secret } = clientCredentials(body, basic);
  if (!clientId) throw aad.missingParam("client_id");
  const app = authenticateClient(dir, clientId, secret, tenant?.id ?? segment);

  switch (grantType) {
    case "client_credentials": {
      if (!tenant) throw aad.tenantNotFound(segment);
      const scopes = parseScopes(body.scope ?? "", dir.baseUrl, apiIds());
      if (scopes.permissions.join() !== ".default") throw aad.invalidScope(body.scope ?? "");
      if (scopes.resource === "api") {
        // A customer's own application calling the product's API with the app roles it was granted.
        requireServicePrincipal(dir, tenant, app);
        return tokenResponse(
          await apiAppToken(
            dir,
            tenant.id,
            clientId,
            dir.appRolesOfApp(tenant.id, clientId, PRODUCT_APP.clientId),
          ),
          `${PRODUCT_APP.appIdUri}/.default`,
        );
      }
      if (scopes.resource !== "graph") throw aad.invalidScope(body.scope ?? "");
      const grant = requireServicePrincipal(dir, tenant, app);
      return tokenResponse(
        await graphAppToken(dir, tenant.id, clientId, grant.application),
        "https://graph.microsoft.com/.default",
      );
    }
    case "authorization_code": {
      const code = body.code ? grants.takeCode(body.code) : undefined;
      if (!code || code.expiresAt < dir.now() || code.clientId !== clientId) throw aad.badCode();
      if (tenant && tenant.id !== code.tenantId) throw aad.badCode();
      if (body.redirect_uri !== code.redirectUri) throw aad.redirectMismatch();
      if (code.codeChallenge) verifyPkce(code.codeChallenge, code.codeChallengeMethod, body.code_verifier);
      const t = dir.tenant(code.tenantId);
      const user = activeUser(t, code.userId);
      const scopes = parseScopes(body.scope ?? code.scopes.join(" "), dir.baseUrl, apiIds());
      return userTokens(dir, grants, t, app, user, scopes, code.nonce);
    }
    case "refresh_token": {
      const rt = body.refresh_token ? grants.refresh.get(body.refresh_token) : undefined;
      if (!rt || rt.clientId !== clientId) throw aad.badRefreshToken();
      const t = dir.tenant(rt.tenantId);
      if (tenant && tenant.id !== t.id) throw aad.badRefreshToken();
      const user = activeUser(t, rt.userId);
      const validFrom = t.refreshValidFrom.get(user.id);
      if (validFrom !== undefined && rt.issuedAt <= validFrom) throw aad.refreshRevoked();
      const scopes = parseScopes(body.scope || rt.scopes.join(" "), dir.baseUrl, apiIds());
      return userTokens(dir, grants, t, app, user, scopes, undefined);
    }
    case "urn:ietf:params:oauth:grant-type:jwt-bearer": {
      if (body.requested_token_use !== "on_behalf_of") throw aad.missingParam("requested_token_use");
      if (!body.assertion) throw aad.missingParam("assertion");
      const claims = await verifyAssertion(dir, body.assertion, app);
      const t = dir.resolveTenant(String(claims.tid));
      if (!t || (tenant && tenant.id !== t.id)) throw aad.tenantNotFound(String(claims.tid));
      const user = activeUser(t, String(claims.oid));
      const scopes = parseScopes(body.scope ?? "", dir.baseUrl, apiIds());
      if (scopes.resource !== "graph") throw aad.invalidScope(body.scope ?? "");
      const granted = delegatedScopes(dir, t, app, scopes);
      const access = await graphUserToken(dir, t.id, clientId, user, granted);
      const result: Record<string, unknown> = tokenResponse(access, granted.join(" "));
      if (scopes.oidc.includes("offline_access")) {
        result.refresh_token = grants.newRefreshToken({
          tenantId: t.id,
          userId: user.id,
          clientId,
          scopes: (body.scope ?? "").split(" "),
          issuedAt: dir.now(),
        });
      }
      return result;
    }
    default:
      throw aad.badGrantType(grantType);
  }
}

function apiIds(): string[] {
  return [PRODUCT_APP.appIdUri, PRODUCT_APP.clientId, `api://${PRODUCT_APP.clientId}`];
}

function clientCredentials(body: Body, basic?: string): { clientId?: string; secret?: string } {
  if (basic?.startsWith("Basic ")) {
    const [id, secret] = Buffer.from(basic.slice(6), "base64").toString().split(":");
    return { clientId: decodeURIComponent(id ?? ""), secret: decodeURIComponent(secret ?? "") };
  }
  return { clientId: body.client_id, secret: body.client_secret };
}

function authenticateClient(
  dir: SimDirectory,
  clientId: string,
  secret: string | undefined,
  tenant: string,
): SimApp {
  const app = dir.getApp(clientId);
  if (!app) throw aad.appNotFound(clientId, tenant);
  if (!secret) throw aad.missingSecret();
  const match = app.secrets.find((s) => s.value === secret);
  if (!match) throw aad.invalidSecret(clientId);
  if (match.expiresAt <= dir.now()) throw aad.expiredSecret(clientId);
  return app;
}

function requireServicePrincipal(dir: SimDirectory, tenant: TenantState, app: SimApp) {
  const grant = dir.grantFor(tenant.id, app.clientId);
  if (!grant) throw aad.appNotFound(app.clientId, tenant.id);
  return grant;
}

function activeUser(t: TenantState, userId: string): SimUser {
  const user = findUser(t, userId);
  if (!user) throw aad.userNotFound(t.id);
  if (!user.accountEnabled) throw aad.userDisabled();
  return user;
}

/** The delegated permissions a user token carries; missing admin consent is AADSTS65001. */
function delegatedScopes(dir: SimDirectory, t: TenantState, app: SimApp, scopes: ScopeRequest): string[] {
  const grant = dir.grantFor(t.id, app.clientId);
  const consented = (grant?.delegated ?? []).filter(
    (s) => !["openid", "profile", "email", "offline_access"].includes(s),
  );
  if (consented.length === 0) throw aad.consentRequired(app.clientId, app.displayName);
  if (scopes.permissions.includes(".default") || scopes.permissions.length === 0) return consented;
  const missing = scopes.permissions.filter((p) => !consented.includes(p));
  if (missing.length > 0) throw aad.consentRequired(app.clientId, app.displayName);
  return consented;
}

async function userTokens(
  dir: SimDirectory,
  grants: GrantStore,
  t: TenantState,
  app: SimApp,
  user: SimUser,
  scopes: ScopeRequest,
  nonce: string | undefined,
) {
  let access: string;
  let scopeText: string;
  if (scopes.resource === "api") {
    if (app.clientId !== PRODUCT_APP.clientId && !dir.grantFor(t.id, PRODUCT_APP.clientId)) {
      throw aad.consentRequired(app.clientId, app.displayName);
    }
    const perms = scopes.permissions.filter((p) => p !== ".default");
    const granted = perms.length > 0 ? perms : ["access_as_user"];
    access = await apiUserToken(dir, t.id, app.clientId, user, granted, PRODUCT_APP.clientId);
    scopeText = granted.map((p) => `${PRODUCT_APP.appIdUri}/${p}`).join(" ");
  } else {
    // Without a resource, Entra issues a Graph token for the OpenID scopes (User.Read at least).
    const granted = delegatedScopes(dir, t, app, scopes);
    access = await graphUserToken(dir, t.id, app.clientId, user, granted);
    scopeText = granted.join(" ");
  }
  const result: Record<string, unknown> = tokenResponse(
    access,
    [scopeText, ...scopes.oidc.filter((s) => s !== "offline_access")].join(" ").trim(),
  );
  if (scopes.oidc.includes("openid")) {
    result.id_token = await idToken(dir, t.id, app.clientId, user, nonce);
    result.client_info = clientInfo(user.id, t.id);
  }
  if (scopes.oidc.includes("offline_access")) {
    const requested = [
      ...scopes.oidc,
      ...scopes.permissions.map((p) =>
        scopes.resource === "api" ? `${PRODUCT_APP.appIdUri}/${p}` : `https://graph.microsoft.com/${p}`,
      ),
    ];
    result.refresh_token = grants.newRefreshToken({
      tenantId: t.id,
      userId: user.id,
      clientId: app.clientId,
      scopes: requested,
      issuedAt: dir.now(),
    });
    result.refresh_token_expires_in = 90 * 24 * 3600;
  }
  return result;
}

function tokenResponse(accessToken: string, scope: string): Record<string, unknown> {
  return {
    token_type: "Bearer",
    scope,
    expires_in: ACCESS_TOKEN_SECONDS,
    ext_expires_in: ACCESS_TOKEN_SECONDS,
    access_token: accessToken,
  };
}

function verifyPkce(challenge: string, method: string | undefined, verifier: string | undefined): void {
  if (!verifier) throw aad.pkceFailed();
  const computed = method === "plain" ? verifier : createHash("sha256").update(verifier).digest("base64url");
  if (computed !== challenge) throw aad.pkceFailed();
}

async function verifyAssertion(dir: SimDirectory, assertion: string, app: SimApp) {
  const key = await signingKey();
  try {
    const { payload } = await jwtVerify(assertion, key.publicJwk, {
      currentDate: new Date(dir.now()),
      clockTolerance: 300,
    });
    const aud = String(payload.aud);
    if (aud !== app.clientId && aud !== PRODUCT_APP.appIdUri) throw aad.assertionAudience();
    return payload;
  } catch (err) {
    if (err instanceof AadError) throw err;
    const code = (err as { code?: string }).code;
    if (code === "ERR_JWT_EXPIRED") throw aad.assertionExpired();
    throw aad.badAssertion((err as Error).message);
  }
}
