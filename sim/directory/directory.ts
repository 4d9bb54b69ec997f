import { randomUUID } from "node:crypto";
import { CONSENT_ADMIN_ROLES, GRAPH_RESOURCE, PRODUCT_APP, TEAMS_WEB_CLIENT_ID } from "../constants.ts";
import { notFound, SimError } from "../errors.ts";
import { jwks, signToken } from "../identity/keys.ts";
import { GUID_RE, guidFrom } from "../ids.ts";
import { type DeliveryMode, type LifecycleEvent, SubscriptionHub } from "../notifications/hub.ts";
import { makeGroup, makeUser } from "../seed/factory.ts";
import type {
  ConsentRecord,
  FaultSpec,
  GroupInput,
  IssueUserTokenOptions,
  SimApp,
  SimGrant,
  SimGroup,
  SimRoleAssignment,
  SimUser,
  TenantSeed,
  UserInput,
} from "../types.ts";
import { FaultTable } from "./faults.ts";
import { Outbox, type SentMail, type UserAppInstallation } from "./outbox.ts";
import { type Change, kindOf, stateFromSeed, type TenantState, transitiveMembers } from "./state.ts";

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The simulated directory and its control surface. Every mutation is appended to the tenant's change log
 * so that delta queries answer exactly what changed since a token.
 */
export class SimDirectory {
  readonly tenants = new Map<string, TenantState>();
  readonly apps = new Map<string, SimApp>();
  readonly faults = new FaultTable();
  /** Mail and app installations applications sent, and the mailboxes access policies allow. */
  readonly outbox = new Outbox();
  /** Graph change notifications: subscriptions on users and groups, fed by every logged change. */
  readonly subscriptions: SubscriptionHub;
  baseUrl = "";

  constructor(
    seeds: TenantSeed[],
    productApp: SimApp,
    private readonly clock: () => number,
  ) {
    this.subscriptions = new SubscriptionHub(clock);
    this.apps.set(productApp.clientId, productApp);
    for (const seed of seeds) {
      this.tenants.set(seed.tenantId, stateFromSeed(seed));
      for (const app of seed.apps) this.apps.set(app.clientId, structuredClone(app));
    }
  }

  now(): number {
    return this.clock();
  }

  // ---- tenants -------------------------------------------------------------------------------------

  tenant(tenantId: string): TenantState {
    const t = this.resolveTenant(tenantId);
    if (!t) throw new SimError(404, "TenantNotFound", `Tenant '${tenantId}' is not simulated.`);
    return t;
  }

  /** A tenant by id or verified domain, as the authority segment allows. */
  resolveTenant(segment: string): TenantState | undefined {
    const byId = this.tenants.get(segment.toLowerCase()) ?? this.tenants.get(segment);
    if (byId) return byId;
    const lower = segment.toLowerCase();
    for (const t of this.tenants.values()) if (t.domains.some((d) => d.toLowerCase() === lower)) return t;
    return undefined;
  }

  listTenants(): {
    tenantId: string;
    displayName: string;
    domains: string[];
    users: number;
    groups: number;
  }[] {
    return [...this.tenants.values()].map((t) => ({
      tenantId: t.id,
      displayName: t.displayName,
      domains: t.domains,
      users: t.users.size,
      groups: t.groups.size,
    }));
  }

  private log(t: TenantState, change: Omit<Change, "seq">): void {
    t.seq++;
    const logged = { ...change, seq: t.seq };
    t.changes.push(logged);
    this.subscriptions.onChange(t.id, logged);
  }

  private newId(t: TenantState, kind: string): string {
    t.createdObjects++;
    return guidFrom(`${t.id}:${kind}:created:${t.createdObjects}`);
  }

  // ---- users ---------------------------------------------------------------------------------------

  getUser(tenantId: string, idOrUpn: string): SimUser {
    const t = this.tenant(tenantId);
    const u = findUser(t, idOrUpn);
    if (!u) throw notFound(idOrUpn);
    return u;
  }

  listUsers(tenantId: string): SimUser[] {
    return [...this.tenant(tenantId).users.values()];
  }

  listDeletedUsers(tenantId: string): SimUser[] {
    return [...this.tenant(tenantId).deletedUsers.values()];
  }

  addUser(tenantId: string, input: UserInput): SimUser {
    const t = this.tenant(tenantId);
    const id = input.id ?? this.newId(t, "user");
    if (t.users.has(id) || t.deletedUsers.has(id))
      throw new SimError(400, "Request_BadRequest", `User ${id} exists.`);
    const alias = (input.displayName ?? `user${t.createdObjects}`).replace(/[^A-Za-z0-9]/g, "");
    const upn = input.userPrincipalName ?? `${alias}@${t.domains[0]}`;
    if (findUser(t, upn)) {
      throw new SimError(
        400,
        "Request_BadRequest",
        "Another object with the same value for property userPrincipalName already exists.",
      );
    }
    const user = makeUser({ createdDateTime: iso(this.clock()), ...input, id, userPrincipalName: upn });
    t.users.set(id, user);
    this.log(t, { kind: "user", id, op: "upsert" });
    return user;
  }

  updateUser(tenantId: string, idOrUpn: string, patch: UserInput): SimUser {
    const t = this.tenant(tenantId);
    const user = this.getUser(tenantId, idOrUpn);
    const changed: string[] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (key === "id") continue;
      if (key === "onPremisesExtensionAttributes") {
        user.onPremisesExtensionAttributes = { ...user.onPremisesExtensionAttributes, ...(value as object) };
      } else if (key === "extensions") {
        user.extensions = { ...user.extensions, ...(value as object) };
        changed.push(...Object.keys(value as object));
        continue;
      } else if (key.startsWith("extension_")) {
        user.extensions[key] = value as string;
      } else {
        (user as unknown as Record<string, unknown>)[key] = value;
      }
      changed.push(key);
    }
    this.log(t, { kind: "user", id: user.id, op: "upsert", props: changed });
    return user;
  }

  /**
   * Uploads a new photo or removes it. Graph's user delta does not report photo changes (the photo is not
   * a user property), so neither does this: a sync has to ask for photos to notice.
   */
  setPhoto(tenantId: string, idOrUpn: string, photo: "new" | "none"): SimUser {
    const user = this.getUser(tenantId, idOrUpn);
    user.hasPhoto = photo === "new";
    if (photo === "new") user.photoVersion = (user.photoVersion ?? 0) + 1;
    return user;
  }

  disableUser(tenantId: string, idOrUpn: string): SimUser {
    return this.updateUser(tenantId, idOrUpn, { accountEnabled: false });
  }

  enableUser(tenantId: string, idOrUpn: string): SimUser {
    return this.updateUser(tenantId, idOrUpn, { accountEnabled: true });
  }

  /** Moves the user to deleted items; its memberships are hidden until a restore. */
  softDeleteUser(tenantId: string, idOrUpn: string): void {
    const t = this.tenant(tenantId);
    const user = this.getUser(tenantId, idOrUpn);
    t.users.delete(user.id);
    t.deletedUsers.set(user.id, { ...user, deletedDateTime: iso(this.clock()) });
    this.log(t, { kind: "user", id: user.id, op: "softDelete" });
    this.logMembershipVisibility(t, user.id, "user", "memberRemove");
  }

  restoreUser(tenantId: string, id: string): SimUser {
    const t = this.tenant(tenantId);
    const deleted = t.deletedUsers.get(id);
    if (!deleted) throw notFound(id);
    const { deletedDateTime: _d, ...user } = deleted;
    t.deletedUsers.delete(id);
    t.users.set(id, user);
    this.log(t, { kind: "user", id, op: "upsert" });
    this.logMembershipVisibility(t, id, "user", "memberAdd");
    return user;
  }

  /** Permanent deletion, from the directory or from deleted items. */
  hardDeleteUser(tenantId: string, idOrUpn: string): void {
    const t = this.tenant(tenantId);
    const id = findUser(t, idOrUpn)?.id ?? (t.deletedUsers.has(idOrUpn) ? idOrUpn : undefined);
    if (!id) throw notFound(idOrUpn);
    const wasActive = t.users.delete(id);
    t.deletedUsers.delete(id);
    if (wasActive) this.logMembershipVisibility(t, id, "user", "memberRemove");
    for (const set of t.members.values()) set.delete(id);
    for (const au of t.adminUnits.values()) au.memberIds = au.memberIds.filter((m) => m !== id);
    t.roleAssignments = t.roleAssignments.filter((r) => r.principalId !== id);
    t.appRoleAssignments = t.appRoleAssignments.filter((a) => a.principalId !== id);
    this.log(t, { kind: "user", id, op: "hardDelete" });
  }

  private logMembershipVisibility(
    t: TenantState,
    id: string,
    kind: "user" | "group",
    op: "memberAdd" | "memberRemove",
  ) {
    for (const [groupId, set] of t.members) {
      if (set.has(id) && t.groups.has(groupId)) {
        this.log(t, { kind: "group", id: groupId, op, memberId: id, memberKind: kind });
      }
    }
  }

  // ---- groups --------------------------------------------------------------------------------------

  getGroup(tenantId: string, id: string): SimGroup {
    const g = this.tenant(tenantId).groups.get(id);
    if (!g) throw notFound(id);
    return g;
  }

  listGroups(tenantId: string): SimGroup[] {
    return [...this.tenant(tenantId).groups.values()];
  }

  addGroup(tenantId: string, input: GroupInput & { displayName: string }): SimGroup {
    const t = this.tenant(tenantId);
    const id = input.id ?? this.newId(t, "group");
    const group = makeGroup({ createdDateTime: iso(this.clock()), ...input, id });
    t.groups.set(id, group);
    t.members.set(id, t.members.get(id) ?? new Set());
    this.log(t, { kind: "group", id, op: "upsert" });
    return group;
  }

  updateGroup(tenantId: string, id: string, patch: GroupInput): SimGroup {
    const t = this.tenant(tenantId);
    const group = this.getGroup(tenantId, id);
    const changed = Object.keys(patch).filter((k) => k !== "id");
    Object.assign(group, patch, { id });
    this.log(t, { kind: "group", id, op: "upsert", props: changed });
    return group;
  }

  softDeleteGroup(tenantId: string, id: string): void {
    const t = this.tenant(tenantId);
    const g = this.getGroup(tenantId, id);
    t.groups.delete(id);
    t.deletedGroups.set(id, { ...g, deletedDateTime: iso(this.clock()) });
    this.log(t, { kind: "group", id, op: "softDelete" });
    this.logMembershipVisibility(t, id, "group", "memberRemove");
  }

  restoreGroup(tenantId: string, id: string): SimGroup {
    const t = this.tenant(tenantId);
    const deleted = t.deletedGroups.get(id);
    if (!deleted) throw notFound(id);
    const { deletedDateTime: _d, ...group } = deleted;
    t.deletedGroups.delete(id);
    t.groups.set(id, group);
    this.log(t, { kind: "group", id, op: "upsert" });
    this.logMembershipVisibility(t, id, "group", "memberAdd");
    return group;
  }

  hardDeleteGroup(tenantId: string, id: string): void {
    const t = this.tenant(tenantId);
    if (!t.groups.has(id) && !t.deletedGroups.has(id)) throw notFound(id);
    const wasActive = t.groups.delete(id);
    t.deletedGroups.delete(id);
    if (wasActive) this.logMembershipVisibility(t, id, "group", "memberRemove");
    t.members.delete(id);
    for (const set of t.members.values()) set.delete(id);
    this.log(t, { kind: "group", id, op: "hardDelete" });
  }

  addMember(tenantId: string, groupId: string, memberId: string): void {
    const t = this.tenant(tenantId);
    this.getGroup(tenantId, groupId);
    const kind = kindOf(t, memberId);
    if (!kind || (!t.users.has(memberId) && !t.groups.has(memberId))) throw notFound(memberId);
    if (memberId === groupId || (kind === "group" && transitiveMembers(t, memberId).includes(groupId))) {
      throw new SimError(
        400,
        "Request_BadRequest",
        "A group cannot be a member of itself, directly or through nesting.",
      );
    }
    const set = t.members.get(groupId) ?? new Set<string>();
    t.members.set(groupId, set);
    if (set.has(memberId)) {
      throw new SimError(
        400,
        "Request_BadRequest",
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
    }
    set.add(memberId);
    this.log(t, { kind: "group", id: groupId, op: "memberAdd", memberId, memberKind: kind });
  }

  removeMember(tenantId: string, groupId: string, memberId: string): void {
    const t = this.tenant(tenantId);
    this.getGroup(tenantId, groupId);
    const set = t.members.get(groupId);
    if (!set?.delete(memberId)) throw notFound(memberId);
    this.log(t, {
      kind: "group",
      id: groupId,
      op: "memberRemove",
      memberId,
      memberKind: kindOf(t, memberId) ?? "user",
    });
  }

  listMembers(tenantId: string, groupId: string, transitive = false): string[] {
    const t = this.tenant(tenantId);
    this.getGroup(tenantId, groupId);
    return transitive
      ? transitiveMembers(t, groupId)
      : [...(t.members.get(groupId) ?? [])].filter((m) => t.users.has(m) || t.groups.has(m));
  }

  // ---- roles ---------------------------------------------------------------------------------------

  assignRole(tenantId: string, userId: string, roleTemplateId: string): SimRoleAssignment {
    const t = this.tenant(tenantId);
    this.getUser(tenantId, userId);
    const existing = t.roleAssignments.find(
      (r) => r.principalId === userId && r.roleDefinitionId === roleTemplateId,
    );
    if (existing) return existing;
    const assignment = {
      id: guidFrom(`${t.id}:ra:${userId}:${roleTemplateId}`),
      principalId: userId,
      roleDefinitionId: roleTemplateId,
      directoryScopeId: "/",
    };
    t.roleAssignments.push(assignment);
    return assignment;
  }

  removeRole(tenantId: string, userId: string, roleTemplateId: string): void {
    const t = this.tenant(tenantId);
    t.roleAssignments = t.roleAssignments.filter(
      (r) => !(r.principalId === userId && r.roleDefinitionId === roleTemplateId),
    );
  }

  listRoleAssignments(tenantId: string): SimRoleAssignment[] {
    return [...this.tenant(tenantId).roleAssignments];
  }

  /** Role template ids of the user's directory roles: what Entra puts in a user token's `wids` claim. */
  directoryRoleIdsOf(tenantId: string, userId: string): string[] {
    const ids = this.tenant(tenantId)
      .roleAssignments.filter((r) => r.principalId === userId)
      .map((r) => r.roleDefinitionId);
    return [...new Set(ids)];
  }

  /** Assigns a user one of an app's roles (Enterprise applications → Users and groups). */
  assignAppRole(tenantId: string, userId: string, clientId: string, appRole: string): void {
    const t = this.tenant(tenantId);
    this.getUser(tenantId, userId);
    const app = this.appIn(tenantId, clientId);
    if (!app.appRoles.includes(appRole))
      throw new SimError(400, "Request_BadRequest", `${app.displayName} defines no app role ${appRole}.`);
    if (this.appRolesOf(tenantId, userId, clientId).includes(appRole)) return;
    t.appRoleAssignments.push({ principalId: userId, resourceAppId: clientId, appRole });
  }

  removeAppRole(tenantId: string, userId: string, clientId: string, appRole: string): void {
    const t = this.tenant(tenantId);
    t.appRoleAssignments = t.appRoleAssignments.filter(
      (a) => !(a.principalId === userId && a.resourceAppId === clientId && a.appRole === appRole),
    );
  }

  /** The app roles a user holds for one app: what Entra puts in the `roles` claim of tokens for that app. */
  appRolesOf(tenantId: string, userId: string, clientId: string): string[] {
    return this.tenant(tenantId)
      .appRoleAssignments.filter((a) => a.principalId === userId && a.resourceAppId === clientId)
      .map((a) => a.appRole);
  }

  /**
   * Grants an application one of another app's app roles (API permissions → Application permissions, with
   * admin consent): what Entra puts in the `roles` claim of the application's client-credential tokens.
   */
  assignAppRoleToApp(tenantId: string, clientId: string, resourceAppId: string, appRole: string): void {
    const t = this.tenant(tenantId);
    const resource = this.apps.get(resourceAppId);
    if (!resource?.appRoles.includes(appRole))
      throw new SimError(
        400,
        "Request_BadRequest",
        `${resource?.displayName ?? resourceAppId} defines no app role ${appRole}.`,
      );
    if (this.appRolesOfApp(tenantId, clientId, resourceAppId).includes(appRole)) return;
    t.appRoleAssignments.push({ principalId: guidFrom(`sp:${t.id}:${clientId}`), resourceAppId, appRole });
  }

  removeAppRoleFromApp(tenantId: string, clientId: string, resourceAppId: string, appRole: string): void {
    const t = this.tenant(tenantId);
    const sp = guidFrom(`sp:${t.id}:${clientId}`);
    t.appRoleAssignments = t.appRoleAssignments.filter(
      (a) => !(a.principalId === sp && a.resourceAppId === resourceAppId && a.appRole === appRole),
    );
  }

  /** Same ids as the service principal ids in tokens (identity/tokens.ts). */
  appRolesOfApp(tenantId: string, clientId: string, resourceAppId: string): string[] {
    return this.appRolesOf(tenantId, guidFrom(`sp:${this.tenant(tenantId).id}:${clientId}`), resourceAppId);
  }

  isConsentAdmin(tenantId: string, userId: string): boolean {
    return this.tenant(tenantId).roleAssignments.some(
      (r) => r.principalId === userId && CONSENT_ADMIN_ROLES.has(r.roleDefinitionId),
    );
  }

  // ---- apps, consent and credentials ---------------------------------------------------------------

  getApp(clientId: string): SimApp | undefined {
    return this.apps.get(clientId);
  }

  /** The app's grants in the tenant, or undefined when it has no service principal there. */
  grantFor(tenantId: string, clientId: string): SimGrant | undefined {
    const t = this.tenant(tenantId);
    const grant = t.grants.get(clientId);
    if (grant) return grant;
    const app = this.apps.get(clientId);
    if (app && app.homeTenantId === t.id)
      return { clientId, application: [], delegated: [], consentedBy: null, consentedAt: null };
    return undefined;
  }

  private ensureGrant(tenantId: string, clientId: string): SimGrant {
    const t = this.tenant(tenantId);
    if (!this.apps.has(clientId)) throw new SimError(404, "AppNotFound", `No app registration ${clientId}.`);
    let grant = t.grants.get(clientId);
    if (!grant) {
      grant = { clientId, application: [], delegated: [], consentedBy: null, consentedAt: null };
      t.grants.set(clientId, grant);
    }
    return grant;
  }

  grantAppPermissions(tenantId: string, clientId: string, permissions: string[]): SimGrant {
    const grant = this.ensureGrant(tenantId, clientId);
    grant.application = [...new Set([...grant.application, ...permissions])];
    grant.consentedAt = iso(this.clock());
    return grant;
  }

  grantDelegatedPermissions(
    tenantId: string,
    clientId: string,
    scopes: string[],
    consentedBy?: string,
  ): SimGrant {
    const grant = this.ensureGrant(tenantId, clientId);
    grant.delegated = [...new Set([...grant.delegated, ...scopes])];
    grant.consentedAt = iso(this.clock());
    if (consentedBy) {
      const u = this.getUser(tenantId, consentedBy);
      grant.consentedBy = { id: u.id, userPrincipalName: u.userPrincipalName };
    }
    return grant;
  }

  /** Removes every grant; the service principal stays, so client-credential tokens come back without roles. */
  revokeConsent(tenantId: string, clientId: string): void {
    const grant = this.ensureGrant(tenantId, clientId);
    grant.application = [];
    grant.delegated = [];
    grant.consentedBy = null;
    grant.consentedAt = null;
  }

  listConsents(tenantId: string): ConsentRecord[] {
    return [...this.tenant(tenantId).grants.values()].map((g) => ({ ...structuredClone(g), tenantId }));
  }

  private appIn(tenantId: string, clientId: string): SimApp {
    this.tenant(tenantId);
    const app = this.apps.get(clientId);
    if (!app) throw new SimError(404, "AppNotFound", `No app registration ${clientId}.`);
    return app;
  }

  expireSecret(tenantId: string, clientId: string): void {
    const app = this.appIn(tenantId, clientId);
    for (const s of app.secrets) s.expiresAt = this.clock() - 1000;
  }

  setSecret(tenantId: string, clientId: string, value: string, expiresAt: number | string): void {
    const app = this.appIn(tenantId, clientId);
    const at = typeof expiresAt === "number" ? expiresAt : Date.parse(expiresAt);
    app.secrets = [{ value, expiresAt: at }];
  }

  /** Like a password reset or revokeSignInSessions: refresh tokens issued before now stop working. */
  revokeRefreshTokens(tenantId: string, userId: string): void {
    const t = this.tenant(tenantId);
    this.getUser(tenantId, userId);
    t.refreshValidFrom.set(userId, this.clock());
  }

  /**
   * Like Entra's continuous access evaluation after a revocation event: Graph answers 401
   * InvalidAuthenticationToken to every access token of the tenant issued before now, while the apps' secrets
   * and refresh tokens still get fresh ones.
   */
  revokeAccessTokens(tenantId: string): void {
    this.tenant(tenantId).accessTokensValidFrom = this.clock();
  }

  // ---- change notifications ------------------------------------------------------------------------

  /** Every live subscription of a tenant, as Graph keeps them (clientState included: this is the admin view). */
  listSubscriptions(tenantId: string) {
    return this.subscriptions.listFor(this.tenant(tenantId).id).map((s) => ({
      ...s,
      expirationDateTime: new Date(s.expirationDateTime).toISOString(),
    }));
  }

  /** Sends a lifecycle notification for one subscription now (subscriptionRemoved also removes it). */
  sendLifecycleEvent(subscriptionId: string, event: LifecycleEvent): Record<string, unknown> {
    return this.subscriptions.lifecycle(subscriptionId, event);
  }

  /** Moves a subscription's expiry, as if time had passed (ISO date and time). */
  setSubscriptionExpiry(subscriptionId: string, expirationDateTime: string): void {
    const sub = this.subscriptions.live(subscriptionId);
    if (!sub) throw notFound(subscriptionId);
    sub.expirationDateTime = Date.parse(expirationDateTime);
  }

  /** deliver (default), delay by delayMs, or drop every change notification from now on. */
  setNotificationDelivery(mode: DeliveryMode): DeliveryMode {
    return this.subscriptions.setDelivery(mode);
  }

  notificationStats() {
    return structuredClone(this.subscriptions.stats);
  }

  // ---- faults --------------------------------------------------------------------------------------

  // ---- messaging -----------------------------------------------------------------------------------

  /** Mail Graph accepted, oldest first; optionally one tenant's. */
  listSentMail(tenantId?: string): SentMail[] {
    return this.outbox.mail.filter((m) => !tenantId || m.tenantId === this.tenant(tenantId).id);
  }

  listUserAppInstallations(tenantId?: string): UserAppInstallation[] {
    return this.outbox.installations.filter((i) => !tenantId || i.tenantId === this.tenant(tenantId).id);
  }

  /** Exchange's application access policy: the app may send from these mailboxes only. */
  restrictMailboxes(tenantId: string, clientId: string, mailboxes: string[]): void {
    this.outbox.restrictMailboxes(this.tenant(tenantId).id, clientId, mailboxes);
  }

  clearOutbox(): void {
    this.outbox.clear();
  }

  injectFault(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ---- tokens for tests ----------------------------------------------------------------------------

  /** A v2 access token for the product's API, shaped like the ones Teams SSO hands to the tab. */
  async issueUserToken(opts: IssueUserTokenOptions): Promise<string> {
    const user = this.getUser(opts.tenantId, opts.userId);
    const nowSec = Math.floor(this.clock() / 1000);
    const nbf = opts.notBefore ?? nowSec - 60;
    return signToken({
      aud: opts.audience ?? PRODUCT_APP.clientId,
      iss: `${this.baseUrl}/${opts.tenantId}/v2.0`,
      iat: nowSec,
      nbf,
      exp: nowSec + (opts.expiresInSeconds ?? 3600),
      aio: guidFrom(`aio:${user.id}:${nowSec}`).replaceAll("-", ""),
      azp: opts.azp ?? TEAMS_WEB_CLIENT_ID,
      azpacr: "0",
      name: user.displayName,
      oid: user.id,
      preferred_username: user.userPrincipalName,
      rh: "0.sim",
      ...(opts.roles ? { roles: opts.roles } : {}),
      scp: (opts.scopes ?? ["access_as_user"]).join(" "),
      sub: guidFrom(`sub:${opts.audience ?? PRODUCT_APP.clientId}:${user.id}`).replaceAll("-", ""),
      tid: opts.tenantId,
      uti: randomUUID().replaceAll("-", "").slice(0, 22),
      ver: "2.0",
    });
  }

  jwks() {
    return jwks();
  }

  graphResource(): string {
    return GRAPH_RESOURCE;
  }
}

export function findUser(t: TenantState, idOrUpn: string): SimUser | undefined {
  if (GUID_RE.test(idOrUpn)) return t.users.get(idOrUpn.toLowerCase()) ?? t.users.get(idOrUpn);
  const lower = idOrUpn.toLowerCase();
  for (const u of t.users.values()) if (u.userPrincipalName.toLowerCase() === lower) return u;
  return undefined;
}
