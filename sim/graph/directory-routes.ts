import { findUser } from "../directory/directory.ts";
import { activeMembers, groupsHolding, type TenantState, transitiveMembers } from "../directory/state.ts";
import { notFound, SimError } from "../errors.ts";
import { guidFrom } from "../ids.ts";
import type { SimGroup, SimUser } from "../types.ts";
import { PERMS, requireAny } from "./auth.ts";
import { contextUrl, pageOf } from "./paging.ts";
import { PHOTO_SIZE, photoBytes, photoEtag } from "./photo.ts";
import { applyQuery, parseListQuery } from "./query.ts";
import {
  DEFAULT_GROUP_PROPS,
  DEFAULT_USER_PROPS,
  groupDocument,
  project,
  readPath,
  userDocument,
} from "./serialize.ts";
import type { GraphResponse, RouteContext } from "./types.ts";

export const ok = (body: unknown, headers: Record<string, string> = {}): GraphResponse => ({
  status: 200,
  headers: {
    "content-type":
      "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
    ...headers,
  },
  body,
});

const domain = (t: TenantState) => t.domains[0] ?? "";

/** Reads user properties straight from the stored object (no document is built while filtering 100k users). */
function readUser(u: SimUser, path: string): unknown {
  if (path.startsWith("extension_")) return u.extensions[path];
  if (path === "identities" || path === "imAddresses") return readPath(userDocument(u, ""), path);
  return readPath(u, path);
}

export const userDoc =
  (t: TenantState, select?: string[], strict = true) =>
  (u: SimUser) =>
    project(userDocument(u, domain(t)), select, DEFAULT_USER_PROPS, "user", strict);
export const groupDoc =
  (select?: string[], strict = true) =>
  (g: SimGroup) =>
    project(groupDocument(g), select, DEFAULT_GROUP_PROPS, "group", strict);

function lookupUser(ctx: RouteContext, key: string): SimUser {
  const user = findUser(ctx.caller.tenant, decodeURIComponent(key));
  if (!user) throw notFound(decodeURIComponent(key));
  return user;
}

function lookupGroup(ctx: RouteContext, key: string): SimGroup {
  const g = ctx.caller.tenant.groups.get(key.toLowerCase());
  if (!g) throw notFound(key);
  return g;
}

function countResponse(n: number): GraphResponse {
  return { status: 200, headers: { "content-type": "text/plain" }, body: String(n) };
}

function requireEventualForCount(ctx: RouteContext) {
  if ((ctx.req.headers.consistencylevel ?? "").toLowerCase() !== "eventual") {
    throw new SimError(400, "Request_BadRequest", "$count is not currently supported.");
  }
}

export function listUsers(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readUsers);
  const q = parseListQuery(ctx.params, ctx.req.headers, "user");
  const users = applyQuery([...ctx.caller.tenant.users.values()], q, readUser);
  return ok(pageOf(ctx, users, q, userDoc(ctx.caller.tenant, q.select), "users"));
}

export function countUsers(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readUsers);
  requireEventualForCount(ctx);
  const q = parseListQuery(ctx.params, { ...ctx.req.headers }, "user");
  return countResponse(applyQuery([...ctx.caller.tenant.users.values()], q, readUser).length);
}

export function getUser(ctx: RouteContext): GraphResponse {
  const key = ctx.match[1] as string;
  if (ctx.caller.delegated && ctx.caller.userId === lookupUser(ctx, key).id) requireAny(ctx.caller, PERMS.me);
  else requireAny(ctx.caller, PERMS.readUsers);
  const q = parseListQuery(ctx.params, ctx.req.headers, "user");
  const user = lookupUser(ctx, key);
  return ok({
    "@odata.context": `${contextUrl(ctx, "users", q.select)}/$entity`,
    ...userDoc(ctx.caller.tenant, q.select)(user),
  });
}

export function me(ctx: RouteContext): GraphResponse {
  if (!ctx.caller.delegated || !ctx.caller.userId) {
    throw new SimError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
  }
  requireAny(ctx.caller, PERMS.me);
  const q = parseListQuery(ctx.params, ctx.req.headers, "user");
  const user = lookupUser(ctx, ctx.caller.userId);
  return ok({
    "@odata.context": `${contextUrl(ctx, "users", q.select)}/$entity`,
    ...userDoc(ctx.caller.tenant, q.select)(user),
  });
}

export function photoMeta(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readPhotos);
  const user = lookupUser(ctx, ctx.match[1] ?? ctx.caller.userId ?? "");
  if (!user.hasPhoto) throw imageNotFound();
  return ok({
    "@odata.context": `${ctx.root}/$metadata#users('${user.id}')/photo/$entity`,
    "@odata.mediaContentType": "image/png",
    "@odata.mediaEtag": photoEtag(user.id, user.photoVersion),
    id: `${PHOTO_SIZE}X${PHOTO_SIZE}`,
    height: PHOTO_SIZE,
    width: PHOTO_SIZE,
  });
}

export function photoValue(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readPhotos);
  const user = lookupUser(ctx, ctx.match[1] ?? ctx.caller.userId ?? "");
  if (!user.hasPhoto) throw imageNotFound();
  return {
    status: 200,
    headers: { "content-type": "image/png", etag: photoEtag(user.id, user.photoVersion) },
    body: photoBytes(user.id, user.photoVersion),
  };
}

const imageNotFound = () =>
  new SimError(
    404,
    "ImageNotFound",
    "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
  );

export function listGroups(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readGroups);
  const q = parseListQuery(ctx.params, ctx.req.headers, "group");
  const groups = applyQuery([...ctx.caller.tenant.groups.values()], q);
  return ok(pageOf(ctx, groups, q, groupDoc(q.select), "groups"));
}

export function countGroups(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readGroups);
  requireEventualForCount(ctx);
  const q = parseListQuery(ctx.params, ctx.req.headers, "group");
  return countResponse(applyQuery([...ctx.caller.tenant.groups.values()], q).length);
}

export function getGroup(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readGroups);
  const q = parseListQuery(ctx.params, ctx.req.headers, "group");
  const g = lookupGroup(ctx, ctx.match[1] as string);
  return ok({ "@odata.context": `${contextUrl(ctx, "groups", q.select)}/$entity`, ...groupDoc(q.select)(g) });
}

/** A directoryObject as member collections return it: typed, with its type's properties. */
function memberDoc(t: TenantState, select: string[] | undefined) {
  const u = userDoc(t, select, false);
  const g = groupDoc(select, false);
  return (id: string): Record<string, unknown> => {
    const user = t.users.get(id);
    if (user) return { "@odata.type": "#microsoft.graph.user", ...u(user) };
    const group = t.groups.get(id) as SimGroup;
    return { "@odata.type": "#microsoft.graph.group", ...g(group) };
  };
}

function readMember(t: TenantState) {
  return (id: string, path: string) => {
    const user = t.users.get(id);
    if (user) return readUser(user, path);
    return readPath(t.groups.get(id), path);
  };
}

/** members, transitiveMembers and their type casts (`/microsoft.graph.user`) and `/$count`. */
export function groupMembers(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readMembers);
  const [, groupId, relation, cast, count] = ctx.match as unknown as [
    string,
    string,
    string,
    string?,
    string?,
  ];
  const t = ctx.caller.tenant;
  lookupGroup(ctx, groupId);
  if (count) requireEventualForCount(ctx);
  const q = parseListQuery(ctx.params, ctx.req.headers, null);
  let ids = relation === "transitiveMembers" ? transitiveMembers(t, groupId) : activeMembers(t, groupId);
  if (cast === "microsoft.graph.user") ids = ids.filter((id) => t.users.has(id));
  if (cast === "microsoft.graph.group") ids = ids.filter((id) => t.groups.has(id));
  ids = applyQuery(ids, q, readMember(t));
  if (count) return countResponse(ids.length);
  const entitySet =
    cast === "microsoft.graph.user"
      ? "users"
      : cast === "microsoft.graph.group"
        ? "groups"
        : "directoryObjects";
  return ok(pageOf(ctx, ids, q, memberDoc(t, q.select), entitySet));
}

/** memberOf / transitiveMemberOf of a user, a group, or /me. */
export function memberOf(ctx: RouteContext): GraphResponse {
  const t = ctx.caller.tenant;
  const key = ctx.match[1] ?? ctx.caller.userId;
  if (!key)
    throw new SimError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
  const id = ctx.path.startsWith("/groups/") ? lookupGroup(ctx, key).id : lookupUser(ctx, key).id;
  requireAny(ctx.caller, [...PERMS.readMembers, ...PERMS.me]);
  const transitive = ctx.path.endsWith("transitiveMemberOf");
  const groups = groupsHolding(t, id, transitive);
  const q = parseListQuery(ctx.params, ctx.req.headers, null);
  return ok(pageOf(ctx, applyQuery(groups, q, readMember(t)), q, memberDoc(t, q.select), "directoryObjects"));
}

export function adminUnits(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readAdminUnits);
  const q = parseListQuery(ctx.params, ctx.req.headers, null);
  const t = ctx.caller.tenant;
  const [, auId, members] = ctx.match as unknown as [string, string?, string?];
  const doc = (a: {
    id: string;
    displayName: string;
    description: string | null;
    visibility: string | null;
  }) =>
    project(
      {
        id: a.id,
        deletedDateTime: null,
        displayName: a.displayName,
        description: a.description,
        isMemberManagementRestricted: null,
        membershipRule: null,
        membershipRuleProcessingState: null,
        membershipType: null,
        visibility: a.visibility,
      },
      q.select,
      [
        "id",
        "deletedDateTime",
        "displayName",
        "description",
        "isMemberManagementRestricted",
        "membershipRule",
        "membershipRuleProcessingState",
        "membershipType",
        "visibility",
      ],
      "administrativeUnit",
    );
  if (!auId) return ok(pageOf(ctx, [...t.adminUnits.values()], q, doc, "directory/administrativeUnits"));
  const au = t.adminUnits.get(auId.toLowerCase());
  if (!au) throw notFound(auId);
  if (!members)
    return ok({
      "@odata.context": `${contextUrl(ctx, "directory/administrativeUnits", q.select)}/$entity`,
      ...doc(au),
    });
  const ids = au.memberIds.filter((id) => t.users.has(id) || t.groups.has(id));
  return ok(pageOf(ctx, applyQuery(ids, q, readMember(t)), q, memberDoc(t, q.select), "directoryObjects"));
}

/** roleAssignments with the two filters the product needs: principalId eq and roleDefinitionId eq. */
export function roleAssignments(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readRoles);
  const t = ctx.caller.tenant;
  const filter = ctx.params.get("$filter");
  let list = t.roleAssignments;
  const single = ctx.match[1];
  if (filter) {
    const m = /^\s*(principalId|roleDefinitionId)\s+eq\s+'([^']+)'\s*$/i.exec(filter);
    if (!m)
      throw new SimError(
        400,
        "Request_UnsupportedQuery",
        "Unsupported or invalid query filter clause specified for roleAssignments.",
      );
    const prop = (m[1] as string).toLowerCase() === "principalid" ? "principalId" : "roleDefinitionId";
    const value = (m[2] as string).toLowerCase();
    list = list.filter((r) => r[prop].toLowerCase() === value);
  }
  const q = parseListQuery(
    new URLSearchParams([...ctx.params].filter(([k]) => k !== "$filter")),
    ctx.req.headers,
    null,
  );
  const doc = (r: (typeof list)[number]) => ({
    id: r.id,
    principalId: r.principalId,
    resourceScope: r.directoryScopeId,
    directoryScopeId: r.directoryScopeId,
    roleDefinitionId: r.roleDefinitionId,
  });
  if (single) {
    const found = list.find((r) => r.id === single);
    if (!found) throw notFound(single);
    return ok({
      "@odata.context": `${ctx.root}/$metadata#roleManagement/directory/roleAssignments/$entity`,
      ...doc(found),
    });
  }
  return ok(pageOf(ctx, list, q, doc, "roleManagement/directory/roleAssignments"));
}

export function organization(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readOrganization);
  const t = ctx.caller.tenant;
  const id = ctx.match[1];
  if (id && id.toLowerCase() !== t.id) throw notFound(id);
  const doc = {
    id: t.id,
    deletedDateTime: null,
    businessPhones: [],
    city: null,
    country: null,
    countryLetterCode: "US",
    createdDateTime: "2023-01-01T00:00:00Z",
    displayName: t.displayName,
    onPremisesSyncEnabled: null,
    preferredLanguage: "en",
    tenantType: "AAD",
    verifiedDomains: t.domains.map((name, i) => ({
      capabilities: i === 0 ? "Email, OfficeCommunicationsOnline" : "Email",
      isDefault: i === 0,
      isInitial: i === 0,
      name,
      type: "Managed",
    })),
  };
  if (id) return ok({ "@odata.context": `${ctx.root}/$metadata#organization/$entity`, ...doc });
  return ok({ "@odata.context": `${ctx.root}/$metadata#organization`, value: [doc] });
}

/** A service principal's object id and its app roles' ids: stable per tenant and app, as Entra's are. */
const servicePrincipalId = (tenantId: string, appId: string) =>
  guidFrom(`service-principal:${tenantId}:${appId}`);
const appRoleId = (appId: string, value: string) => guidFrom(`app-role:${appId}:${value}`);

/** `/servicePrincipals(appId='…')`: the app's service principal in the caller's tenant, with its app roles. */
export function servicePrincipalByAppId(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readApplications);
  const appId = (ctx.match[1] as string).toLowerCase();
  const t = ctx.caller.tenant;
  const app = ctx.dir.getApp(appId);
  if (!app || !ctx.dir.grantFor(t.id, appId)) throw notFound(appId);
  return ok({
    "@odata.context": `${ctx.root}/$metadata#servicePrincipals/$entity`,
    id: servicePrincipalId(t.id, appId),
    appId,
    displayName: app.displayName,
    appRoles: app.appRoles.map((value) => ({
      id: appRoleId(appId, value),
      value,
      displayName: value,
      allowedMemberTypes: ["User"],
      isEnabled: true,
    })),
  });
}

/**
 * `/applications(appId='…')`: the app registration, readable only in its home tenant (a multi-tenant app's
 * registration is not an object of the tenants that consented to it). Client secrets show as Graph shows
 * them: the first three characters (`hint`) and the validity, never `secretText`. `$select` picks properties.
 */
export function applicationByAppId(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readApplications);
  const appId = (ctx.match[1] as string).toLowerCase();
  const app = ctx.dir.getApp(appId);
  if (!app || app.homeTenantId !== ctx.caller.tenant.id) throw notFound(appId);
  const doc: Record<string, unknown> = {
    id: guidFrom(`application:${appId}`),
    appId,
    displayName: app.displayName,
    signInAudience: app.multiTenant ? "AzureADMultipleOrgs" : "AzureADMyOrg",
    passwordCredentials: app.secrets.map((secret, i) => ({
      customKeyIdentifier: null,
      displayName: null,
      endDateTime: new Date(secret.expiresAt).toISOString(),
      hint: secret.value.slice(0, 3),
      keyId: guidFrom(`password-credential:${appId}:${i}`),
      secretText: null,
      startDateTime: null,
    })),
  };
  const select = ctx.params.get("$select");
  const picked = select
    ? Object.fromEntries(
        select
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p in doc)
          .map((p) => [p, doc[p]]),
      )
    : doc;
  return ok({ "@odata.context": `${ctx.root}/$metadata#applications/$entity`, ...picked });
}

/** `/users/{id}/appRoleAssignments`: the app roles assigned to the user, in every app of the tenant. */
export function userAppRoleAssignments(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, PERMS.readAppRoleAssignments);
  const t = ctx.caller.tenant;
  const user = lookupUser(ctx, ctx.match[1] as string);
  const assignments = t.appRoleAssignments
    .filter((a) => a.principalId === user.id)
    .map((a) => ({
      id: guidFrom(`app-role-assignment:${t.id}:${a.principalId}:${a.resourceAppId}:${a.appRole}`),
      appRoleId: appRoleId(a.resourceAppId, a.appRole),
      principalId: user.id,
      principalType: "User",
      principalDisplayName: user.displayName,
      resourceId: servicePrincipalId(t.id, a.resourceAppId),
      resourceDisplayName: ctx.dir.getApp(a.resourceAppId)?.displayName ?? a.resourceAppId,
    }));
  return ok({
    "@odata.context": `${ctx.root}/$metadata#users('${user.id}')/appRoleAssignments`,
    value: assignments,
  });
}
