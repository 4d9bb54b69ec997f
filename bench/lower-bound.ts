import type { SimDirectory } from "../sim/index.ts";

/** Graph's largest page for users, groups and members ($top=999). */
const MAX_PAGE = 999;

export interface FullSyncBound {
  users: number;
  groups: number;
  /** Direct member edges (users and nested groups). */
  memberEdges: number;
  userPages: number;
  groupPages: number;
  memberPages: number;
  total: number;
}

/**
 * The fewest Graph requests a full sync of users and lists can make, counted the way Graph counts them
 * (and throttles them): a $batch is not one request but as many as it has parts, so batching saves round
 * trips, never requests. Reading everything needs ceil(users/999) user pages, ceil(groups/999) group
 * pages, and for each group ceil(direct members/999) member pages, at least one even when the group is
 * empty (nothing else says it is empty). Direct members are the minimum: a reader may follow nesting from
 * them itself. Token requests and the delta links a full sync takes for the next incremental run are
 * overhead on top of this bound.
 */
export function fullSyncBound(directory: SimDirectory, tenantId: string): FullSyncBound {
  const users = directory.listUsers(tenantId).length;
  const groups = directory.listGroups(tenantId);
  let memberEdges = 0;
  let memberPages = 0;
  for (const g of groups) {
    const n = directory.listMembers(tenantId, g.id).length;
    memberEdges += n;
    memberPages += Math.max(1, Math.ceil(n / MAX_PAGE));
  }
  const userPages = Math.max(1, Math.ceil(users / MAX_PAGE));
  const groupPages = Math.max(1, Math.ceil(groups.length / MAX_PAGE));
  return {
    users,
    groups: groups.length,
    memberEdges,
    userPages,
    groupPages,
    memberPages,
    total: userPages + groupPages + memberPages,
  };
}

/**
 * The fewest requests an incremental run can make: one delta request per resource when nothing changed,
 * and ceil(changed objects/999) pages per resource otherwise.
 */
export function incrementalBound(changedUsers: number, changedGroups: number): number {
  return Math.max(1, Math.ceil(changedUsers / MAX_PAGE)) + Math.max(1, Math.ceil(changedGroups / MAX_PAGE));
}
