import { prng } from "../sim/ids.ts";
import type { SimDirectory } from "../sim/index.ts";

export interface ChangeSummary {
  updated: number;
  disabled: number;
  added: number;
  softDeleted: number;
  hardDeleted: number;
  membersAdded: number;
  membersRemoved: number;
  /** Distinct users and groups the delta queries will report. */
  changedUsers: number;
  changedGroups: number;
}

/**
 * Changes a share of the tenant the way a working day does: of the users, most get a new job title, and a
 * few each are disabled, added, soft-deleted and hard-deleted; the same share of memberships moves (half
 * removed, half added). Deterministic for a given seed.
 */
export function applyChanges(
  directory: SimDirectory,
  tenantId: string,
  share: number,
  seed: number,
): ChangeSummary {
  const r = prng(seed);
  const users = directory.listUsers(tenantId);
  const groups = directory.listGroups(tenantId);
  const domain = directory.tenant(tenantId).domains[0] as string;
  const userChanges = Math.max(5, Math.round(users.length * share));
  const few = Math.max(1, Math.round(userChanges / 20));
  const summary: ChangeSummary = {
    updated: 0,
    disabled: 0,
    added: 0,
    softDeleted: 0,
    hardDeleted: 0,
    membersAdded: 0,
    membersRemoved: 0,
    changedUsers: 0,
    changedGroups: 0,
  };
  const changedUsers = new Set<string>();
  const changedGroups = new Set<string>();

  // Distinct users, drawn without replacement, so every change lands on its own user.
  const picked = new Set<number>();
  const pickUser = () => {
    for (;;) {
      const i = Math.floor(r() * users.length);
      if (picked.has(i)) continue;
      picked.add(i);
      return users[i] as (typeof users)[number];
    }
  };
  const plan: [keyof ChangeSummary, number][] = [
    ["disabled", few],
    ["softDeleted", few],
    ["hardDeleted", few],
    ["updated", userChanges - 4 * few],
  ];
  for (const [kind, n] of plan) {
    for (let i = 0; i < n; i++) {
      const user = pickUser();
      // A deleted member disappears from its groups, so their delta reports them too.
      if (kind === "softDeleted" || kind === "hardDeleted")
        for (const [groupId, members] of directory.tenant(tenantId).members)
          if (members.has(user.id)) changedGroups.add(groupId);
      if (kind === "disabled") directory.disableUser(tenantId, user.id);
      else if (kind === "softDeleted") directory.softDeleteUser(tenantId, user.id);
      else if (kind === "hardDeleted") directory.hardDeleteUser(tenantId, user.id);
      else
        directory.updateUser(tenantId, user.id, {
          jobTitle: `${user.jobTitle ?? "Staff"} (changed ${seed})`,
        });
      changedUsers.add(user.id);
      summary[kind]++;
    }
  }
  for (let i = 0; i < few; i++) {
    const alias = `bench.added.${seed}.${i}`;
    const user = directory.addUser(tenantId, {
      displayName: `Added ${i}`,
      givenName: "Added",
      surname: `User ${i}`,
      mail: `${alias}@${domain}`,
      userPrincipalName: `${alias}@${domain}`,
      jobTitle: "New hire",
      department: "Sales",
    });
    changedUsers.add(user.id);
    summary.added++;
  }

  const live = directory.listUsers(tenantId);
  const edges = groups.reduce((n, g) => n + directory.listMembers(tenantId, g.id).length, 0);
  const moves = Math.max(2, Math.round(edges * share));
  for (let i = 0; i < moves; i++) {
    const group = groups[Math.floor(r() * groups.length)] as (typeof groups)[number];
    const members = directory.listMembers(tenantId, group.id);
    if (i % 2 === 0 && members.length > 0) {
      directory.removeMember(tenantId, group.id, members[Math.floor(r() * members.length)] as string);
      summary.membersRemoved++;
    } else {
      const current = new Set(members);
      let user = live[Math.floor(r() * live.length)];
      while (user && current.has(user.id)) user = live[Math.floor(r() * live.length)];
      if (!user) continue;
      directory.addMember(tenantId, group.id, user.id);
      summary.membersAdded++;
    }
    changedGroups.add(group.id);
  }
  summary.changedUsers = changedUsers.size;
  summary.changedGroups = changedGroups.size;
  return summary;
}
