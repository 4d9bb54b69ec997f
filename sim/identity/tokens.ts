import { randomBytes, randomUUID } from "node:crypto";
import { GRAPH_RESOURCE, PRODUCT_APP } from "../constants.ts";

const PRODUCT_API_AUDIENCE = () => PRODUCT_APP.clientId;

import type { SimDirectory } from "../directory/directory.ts";
import { guidFrom } from "../ids.ts";
import type { SimUser } from "../types.ts";
import { signToken } from "./keys.ts";

export const ACCESS_TOKEN_SECONDS = 3599;
const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

export interface AuthCode {
  tenantId: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
}

export interface RefreshGrant {
  tenantId: string;
  userId: string;
  clientId: string;
  scopes: string[];
  issuedAt: number;
}

/** What a token request's `scope` asks for: one resource plus OpenID Connect scopes. */
export interface ScopeRequest {
  resource: "graph" | "api" | "none";
  /** Permission names without the resource prefix; `.default` kept as is. */
  permissions: string[];
  oidc: string[];
}

export function parseScopes(scope: string, baseUrl: string, apiIds: string[]): ScopeRequest {
  const out: ScopeRequest = { resource: "none", permissions: [], oidc: [] };
  for (const raw of scope.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(raw)) {
      out.oidc.push(raw);
      continue;
    }
    const api = apiIds.find((id) => raw.startsWith(`${id}/`));
    if (api) {
      out.resource = "api";
      out.permissions.push(raw.slice(api.length + 1));
      continue;
    }
    const graphPrefix = [`${GRAPH_RESOURCE}/`, `${baseUrl}/`, "00000003-0000-0000-c000-000000000000/"].find(
      (p) => raw.startsWith(p),
    );
    out.resource = "graph";
    out.permissions.push(graphPrefix ? raw.slice(graphPrefix.length) : raw);
  }
  return out;
}

/** Stores for one-time codes and refresh tokens; both are opaque to clients, as in Entra. */
export class GrantStore {
  readonly codes = new Map<string, AuthCode>();
  readonly refresh = new Map<string, RefreshGrant>();

  newCode(code: AuthCode): string {
    const value = `1.sim.code.${randomBytes(24).toString("base64url")}`;
    this.codes.set(value, code);
    return value;
  }

  takeCode(value: string): AuthCode | undefined {
    const code = this.codes.get(value);
    this.codes.delete(value);
    return code;
  }

  newRefreshToken(grant: RefreshGrant): string {
    const value = `1.sim.rt.${randomBytes(32).toString("base64url")}`;
    this.refresh.set(value, grant);
    return value;
  }
}

const uti = () => randomUUID().replaceAll("-", "").slice(0, 22);

function servicePrincipalId(tenantId: string, clientId: string): string {
  return guidFrom(`sp:${tenantId}:${clientId}`);
}

/** An app-only Graph token, shaped like Entra's v1.0 Graph tokens (Graph only accepts those). */
export async function graphAppToken(
  dir: SimDirectory,
  tenantId: string,
  clientId: string,
  roles: string[],
): Promise<string> {
  const now = Math.floor(dir.now() / 1000);
  const app = dir.getApp(clientId);
  const sp = servicePrincipalId(tenantId, clientId);
  return signToken({
    aud: GRAPH_RESOURCE,
    iss: `${dir.baseUrl}/${tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + ACCESS_TOKEN_SECONDS,
    aio: uti(),
    app_displayname: app?.displayName,
    appid: clientId,
    appidacr: "1",
    idp: `${dir.baseUrl}/${tenantId}/`,
    idtyp: "app",
    oid: sp,
    rh: "0.sim",
    ...(roles.length > 0 ? { roles } : {}),
    sub: sp,
    tid: tenantId,
    uti: uti(),
    ver: "1.0",
  });
}

/**
 * What Entra adds to user tokens about the user's rights: `wids`, the role template ids of their directory
 * roles (emitted for apps whose registration asks for directory roles, as the product's does), and `roles`,
 * their app role assignments for the token's audience app. Absent when empty, as in Entra.
 */
function rightsClaims(dir: SimDirectory, tenantId: string, userId: string, audienceApp?: string) {
  const wids = dir.directoryRoleIdsOf(tenantId, userId);
  const roles = audienceApp ? dir.appRolesOf(tenantId, userId, audienceApp) : [];
  return { ...(roles.length > 0 ? { roles } : {}), ...(wids.length > 0 ? { wids } : {}) };
}

export async function graphUserToken(
  dir: SimDirectory,
  tenantId: string,
  clientId: string,
  user: SimUser,
  scopes: string[],
): Promise<string> {
  const now = Math.floor(dir.now() / 1000);
  const app = dir.getApp(clientId);
  return signToken({
    aud: GRAPH_RESOURCE,
    iss: `${dir.baseUrl}/${tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + ACCESS_TOKEN_SECONDS,
    acct: 0,
    acr: "1",
    aio: uti(),
    amr: ["pwd"],
    app_displayname: app?.displayName,
    appid: clientId,
    appidacr: "1",
    family_name: user.surname ?? undefined,
    given_name: user.givenName ?? undefined,
    idtyp: "user",
    name: user.displayName,
    oid: user.id,
    platf: "3",
    rh: "0.sim",
    scp: scopes.join(" "),
    sub: guidFrom(`graph-sub:${clientId}:${user.id}`).replaceAll("-", ""),
    tid: tenantId,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
    uti: uti(),
    ver: "1.0",
    ...rightsClaims(dir, tenantId, user.id),
  });
}

/** A v2 access token for the product's own API (audience = its client id). */
export async function apiUserToken(
  dir: SimDirectory,
  tenantId: string,
  clientId: string,
  user: SimUser,
  scopes: string[],
  audience: string,
): Promise<string> {
  const now = Math.floor(dir.now() / 1000);
  return signToken({
    aud: audience,
    iss: `${dir.baseUrl}/${tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + ACCESS_TOKEN_SECONDS,
    aio: uti(),
    azp: clientId,
    azpacr: "1",
    name: user.displayName,
    oid: user.id,
    preferred_username: user.userPrincipalName,
    rh: "0.sim",
    scp: scopes.join(" "),
    sub: guidFrom(`sub:${audience}:${user.id}`).replaceAll("-", ""),
    tid: tenantId,
    uti: uti(),
    ver: "2.0",
    ...rightsClaims(dir, tenantId, user.id, audience),
  });
}

/**
 * An app-only v2 token for the product's API (client credentials): no user and no `scp`, the app roles the
 * calling application was granted in `roles`, and `idtyp: app` as Entra adds it when the API asks for it.
 */
export async function apiAppToken(
  dir: SimDirectory,
  tenantId: string,
  clientId: string,
  roles: string[],
): Promise<string> {
  const now = Math.floor(dir.now() / 1000);
  const sp = servicePrincipalId(tenantId, clientId);
  return signToken({
    aud: PRODUCT_API_AUDIENCE(),
    iss: `${dir.baseUrl}/${tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + ACCESS_TOKEN_SECONDS,
    aio: uti(),
    azp: clientId,
    azpacr: "1",
    idtyp: "app",
    oid: sp,
    rh: "0.sim",
    ...(roles.length > 0 ? { roles } : {}),
    sub: sp,
    tid: tenantId,
    uti: uti(),
    ver: "2.0",
  });
}

export async function idToken(
  dir: SimDirectory,
  tenantId: string,
  clientId: string,
  user: SimUser,
  nonce: string | undefined,
): Promise<string> {
  const now = Math.floor(dir.now() / 1000);
  return signToken({
    aud: clientId,
    iss: `${dir.baseUrl}/${tenantId}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + ACCESS_TOKEN_SECONDS,
    aio: uti(),
    email: user.mail ?? undefined,
    name: user.displayName,
    ...(nonce ? { nonce } : {}),
    oid: user.id,
    preferred_username: user.userPrincipalName,
    rh: "0.sim",
    sub: guidFrom(`sub:${clientId}:${user.id}`).replaceAll("-", ""),
    tid: tenantId,
    uti: uti(),
    ver: "2.0",
  });
}

export function clientInfo(userId: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString("base64url");
}
