import type {
  SimAdministrativeUnit,
  SimAppRoleAssignment,
  SimGrant,
  SimGroup,
  SimRoleAssignment,
  SimUser,
  TenantSeed,
} from "../types.ts";

export type ObjectKind = "user" | "group";

/** One entry of a tenant's change log, the source of delta query answers. */
export interface Change {
  seq: number;
  kind: ObjectKind;
  id: string;
  op: "upsert" | "softDelete" | "hardDelete" | "memberAdd" | "memberRemove";
  /** Changed property names for "upsert" (undefined = new or restored object, every property counts). */
  props?: string[];
  memberId?: string;
  memberKind?: ObjectKind;
}

export interface TenantState {
  id: string;
  displayName: string;
  domains: string[];
  users: Map<string, SimUser>;
  deletedUsers: Map<string, SimUser & { deletedDateTime: string }>;
  groups: Map<string, SimGroup>;
  deletedGroups: Map<string, SimGroup & { deletedDateTime: string }>;
  /** Direct members per group, insertion ordered. */
  members: Map<string, Set<string>>;
  adminUnits: Map<string, SimAdministrativeUnit>;
  roleAssignments: SimRoleAssignment[];
  appRoleAssignments: SimAppRoleAssignment[];
  grants: Map<string, SimGrant>;
  /** Refresh tokens issued before this instant (ms) are revoked. */
  refreshValidFrom: Map<string, number>;
  /** Graph refuses access tokens issued (iat, in seconds) before this instant (ms); see revokeAccessTokens. */
  accessTokensValidFrom?: number;
  changes: Change[];
  seq: number;
  createdObjects: number;
}

export function stateFromSeed(seed: TenantSeed): TenantState {
  const members = new Map<string, Set<string>>();
  for (const g of seed.groups) members.set(g.id, new Set());
  for (const [groupId, memberId] of seed.memberships) {
    let set = members.get(groupId);
    if (!set) {
      set = new Set();
      members.set(groupId, set);
    }
    set.add(memberId);
  }
  return {
    id: seed.tenantId,
    displayName: seed.displayName,
    domains: [...seed.domains],
    users: new Map(seed.users.map((u) => [u.id, structuredClone(u)])),
    deletedUsers: new Map(),
    groups: new Map(seed.groups.map((g) => [g.id, structuredClone(g)])),
    deletedGroups: new Map(),
    members,
    adminUnits: new Map(seed.administrativeUnits.map((a) => [a.id, structuredClone(a)])),
    roleAssignments: seed.roleAssignments.map((r) => ({ ...r })),
    appRoleAssignments: (seed.appRoleAssignments ?? []).map((a) => ({ ...a })),
    grants: new Map(seed.grants.map((g) => [g.clientId, structuredClone(g)])),
    refreshValidFrom: new Map(),
    changes: [],
    seq: 0,
    createdObjects: 0,
  };
}

export function kindOf(t: TenantState, id: string): ObjectKind | null {
  if (t.users.has(id) || t.deletedUsers.has(id)) return "user";
  if (t.groups.has(id) || t.deletedGroups.has(id)) return "group";
  return null;
}

/** Members that are visible now (soft-deleted objects keep their edges but are hidden, as in Entra). */
export function activeMembers(t: TenantState, groupId: string): string[] {
  const set = t.members.get(groupId);
  if (!set) return [];
  const out: string[] = [];
  for (const id of set) if (t.users.has(id) || t.groups.has(id)) out.push(id);
  return out;
}

/** Users and groups reachable through nested groups, each once, in discovery order. */
export function transitiveMembers(t: TenantState, groupId: string): string[] {
  const seen = new Set<string>([groupId]);
  const out: string[] = [];
  const queue = [groupId];
  while (queue.length > 0) {
    const g = queue.shift() as string;
    for (const m of activeMembers(t, g)) {
      if (seen.has(m)) continue;
      seen.add(m);
      out.push(m);
      if (t.groups.has(m)) queue.push(m);
    }
  }
  return out;
}

/**
 * The groups holding an object, directly or (transitive) through nested groups, in the tenant's group order.
 * Walks upwards from the object, so asking for one user does not expand every group of the tenant.
 */
export function groupsHolding(t: TenantState, objectId: string, transitive: boolean): string[] {
  const holding = new Set<string>();
  let frontier = [objectId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const [groupId, members] of t.members) {
      if (holding.has(groupId) || !t.groups.has(groupId)) continue;
      if (frontier.some((id) => members.has(id))) {
        holding.add(groupId);
        next.push(groupId);
      }
    }
    frontier = transitive ? next : [];
  }
  return [...t.groups.keys()].filter((id) => holding.has(id));
}
