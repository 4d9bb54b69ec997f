import { jwtVerify } from "jose";
import { GRAPH_APP_ID, GRAPH_RESOURCE } from "../constants.ts";
import type { SimDirectory } from "../directory/directory.ts";
import { SimError } from "../errors.ts";
import { signingKey } from "../identity/keys.ts";
import type { Caller } from "./types.ts";

const invalid = (message: string) => new SimError(401, "InvalidAuthenticationToken", message);

/** Validates a bearer token the way Graph does: our signature, Graph audience, lifetime, known tenant. */
export async function authenticate(dir: SimDirectory, authorization: string | undefined): Promise<Caller> {
  if (!authorization) throw invalid("Access token is empty.");
  const [scheme, token] = authorization.split(" ");
  if (scheme?.toLowerCase() !== "bearer" || !token) throw invalid("Access token is empty.");
  if (token.split(".").length !== 3)
    throw invalid("IDX14100: JWT is not well formed, there are no dots (.).");
  const key = await signingKey();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key.publicJwk, {
      currentDate: new Date(dir.now()),
      clockTolerance: 300,
    }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_JWT_EXPIRED") throw invalid("Lifetime validation failed, the token is expired.");
    throw invalid("Access token validation failure. Invalid signature.");
  }
  if (
    payload.aud !== GRAPH_RESOURCE &&
    payload.aud !== GRAPH_APP_ID &&
    payload.aud !== `${GRAPH_RESOURCE}/`
  ) {
    throw invalid("Access token validation failure. Invalid audience.");
  }
  const tid = String(payload.tid ?? "");
  const tenant = dir.resolveTenant(tid);
  if (!tenant || payload.iss !== `${dir.baseUrl}/${tid}/`)
    throw invalid("Access token validation failure. Invalid issuer.");
  const validFrom = tenant.accessTokensValidFrom;
  if (validFrom !== undefined && Number(payload.iat ?? 0) * 1000 < validFrom)
    throw invalid("Access token has been revoked.");
  const delegated = typeof payload.scp === "string";
  const permissions = new Set<string>(
    delegated
      ? String(payload.scp).split(" ")
      : Array.isArray(payload.roles)
        ? (payload.roles as string[])
        : [],
  );
  return {
    tenant,
    appId: String(payload.appid ?? ""),
    permissions,
    delegated,
    userId: delegated ? String(payload.oid) : undefined,
  };
}

/** Any one of these permissions allows the call (Graph's "least to most privileged" lists). */
export function requireAny(caller: Caller, permissions: readonly string[]): void {
  if (permissions.some((p) => caller.permissions.has(p))) return;
  throw new SimError(
    403,
    "Authorization_RequestDenied",
    "Insufficient privileges to complete the operation.",
  );
}

export const PERMS = {
  readUsers: [
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "User.ReadBasic.All",
  ],
  readGroups: [
    "Group.Read.All",
    "GroupMember.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
  readMembers: [
    "GroupMember.Read.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
  readPhotos: [
    "ProfilePhoto.Read.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "User.ReadBasic.All",
  ],
  readRoles: [
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
  readAdminUnits: [
    "AdministrativeUnit.Read.All",
    "AdministrativeUnit.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
  readOrganization: [
    "Organization.Read.All",
    "Organization.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "User.Read",
    "User.Read.All",
  ],
  readApplications: [
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
  // Graph's list for GET /users/{id}/appRoleAssignments: Directory.Read.All is the least privileged.
  readAppRoleAssignments: [
    "Directory.Read.All",
    "AppRoleAssignment.ReadWrite.All",
    "Directory.ReadWrite.All",
  ],
  me: ["User.Read", "User.ReadWrite", "User.Read.All", "User.ReadBasic.All", "Directory.Read.All"],
} as const;
