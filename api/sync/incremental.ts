import type { Removal, RunContext } from "./context.ts";
import {
  FullSyncNeeded,
  type GroupChange,
  mergeGroupChange,
  parseGroupChange,
  parseUserChange,
  readDelta,
} from "./delta-reader.ts";
import { type DeltaResource, loadDeltaState } from "./delta-state.ts";
import type { GraphGroup, GraphUser } from "./graph-types.ts";
import { type ListIndexEntry, listRemoval, loadListIndex } from "./list-docs.ts";
import { writeLists } from "./lists-phase.ts";
import { type MappedUser, mapUser, missingRequired, userSelect } from "./mapping.ts";
import {
  hasAdoptedProfiles,
  loadProfileIndex,
  type ProfileIndexEntry,
  profilesBySource,
} from "./profiles.ts";
import { requireGroups } from "./reader.ts";
import { heldBackUsers } from "./reconciler/guard.ts";
import { applyMemberChanges, type DirectMemberChange } from "./reconciler/member-changes.ts";
import { userScopeVerdict } from "./scope.ts";
import { recordOf, removalOf, tenantMatchIndex, writeUsers } from "./users-phase.ts";

export interface IncrementalResult {
  removals: Removal[];
  userPopulation: number;
  listPopulation: number;
  deltaLinks: Partial<Record<DeltaResource, string>>;
  changed: boolean;
}

const REMOVED_REASON: Record<string, string> = {
  changed: "deleted in Entra ID (restorable there from deleted items)",
  deleted: "permanently deleted in Entra ID",
};

/**
 * One incremental run: only what Graph's delta queries report as changed since the last run is read and
 * written, so an unchanged tenant costs one request per resource and no directory writes.
 */
export async function runIncrementalPhases(ctx: RunContext): Promise<IncrementalResult> {
  const { settings, reporter, connection, store } = ctx;
  await reporter.phase("reading changes");
  const doUsers = settings.what !== "lists";
  const doLists = settings.what !== "users";
  const links: Partial<Record<DeltaResource, string>> = {};

  const usersState = doUsers ? await loadDeltaState(store, connection, "users") : undefined;
  const userDelta = usersState?.deltaLink
    ? await readDelta(ctx.graph, usersState.deltaLink, parseUserChange)
    : { changes: new Map<string, GraphUser>(), deltaLink: undefined };
  if (userDelta.deltaLink) links.users = userDelta.deltaLink;

  const groupsState =
    doLists || settings.users.scope === "groups"
      ? await loadDeltaState(store, connection, "groups")
      : undefined;
  const groupDelta = groupsState?.deltaLink
    ? await readDelta<GroupChange>(ctx.graph, groupsState.deltaLink, parseGroupChange, mergeGroupChange)
    : { changes: new Map<string, GroupChange>(), deltaLink: undefined };
  if (groupDelta.deltaLink) links.groups = groupDelta.deltaLink;

  const changed = userDelta.changes.size + groupDelta.changes.size > 0;
  if (!changed) return { removals: [], userPopulation: 0, listPopulation: 0, deltaLinks: links, changed };
  reporter.task.progress.total = userDelta.changes.size + groupDelta.changes.size;

  const removals: Removal[] = [];
  const membershipMoved = [...groupDelta.changes.values()].some(
    (g) => g.membersChanged || g.group["@removed"],
  );
  const users = doUsers
    ? await incrementalUsers(ctx, userDelta.changes, membershipMoved, removals)
    : { arrived: new Set<string>(), left: new Set<string>(), held: new Set<string>(), population: 0 };
  const lists = doLists
    ? await incrementalLists(ctx, groupDelta.changes, users, removals)
    : { population: 0 };
  return {
    removals,
    userPopulation: users.population,
    listPopulation: lists.population,
    deltaLinks: links,
    changed,
  };
}

async function incrementalUsers(
  ctx: RunContext,
  changes: Map<string, GraphUser>,
  membershipMoved: boolean,
  removals: Removal[],
): Promise<{ arrived: Set<string>; left: Set<string>; held: Set<string>; population: number }> {
  const { settings, reporter, connection, store } = ctx;
  await reporter.phase("writing changed users");
  const groupScope = settings.users.scope === "groups";
  // Group scope: when any membership moved, the scope is recomputed from member ids (not whole users).
  const scopedIds = groupScope && membershipMoved ? await scopedMemberIds(ctx) : undefined;
  const index = scopedIds
    ? await loadProfileIndex(store, connection.tenantId, connection.id)
    : await profileEntries(ctx, [...changes.keys()]);
  const bySource = new Map(index.map((e) => [e.sourceId, e]));
  const live = (id: string) => {
    const e = bySource.get(id);
    return e !== undefined && e.status !== "deleted";
  };

  // Users that entered the group scope without changing themselves still need their properties.
  if (scopedIds) {
    const entering = [...scopedIds].filter((id) => !live(id) && !changes.has(id));
    for (const user of await fetchUsers(ctx, entering)) changes.set(user.id, user);
  }
  const unknownMembership = groupScope && !scopedIds ? [...changes.keys()].filter((id) => !live(id)) : [];
  const memberOfScope = unknownMembership.length
    ? await inSelectedGroups(ctx, unknownMembership)
    : new Set<string>();

  const whitelist = settings.users.scope === "emails" ? new Set(settings.users.emails) : undefined;
  const valid: MappedUser[] = [];
  const skip = (user: MappedUser, reason: string) => reporter.record(recordOf(user, "skipped", reason));
  for (const [id, user] of changes) {
    const removed = user["@removed"];
    if (removed) {
      if (live(id))
        removals.push(
          removalOf(
            bySource.get(id) as ProfileIndexEntry,
            "deleted",
            REMOVED_REASON[removed.reason] ?? "removed from Entra ID",
          ),
        );
      continue;
    }
    const mapped = mapUser(user, settings, ctx.definedAttributes);
    const inGroups = !groupScope || (scopedIds ? scopedIds.has(id) : live(id) || memberOfScope.has(id));
    const verdict = inGroups
      ? userScopeVerdict(user, settings, mapped.email, whitelist)
      : { inScope: false as const, reason: "not a member of the selected groups" };
    if (!verdict.inScope) {
      if (live(id) && settings.mirror)
        removals.push(removalOf(bySource.get(id) as ProfileIndexEntry, "deleted", verdict.reason));
      else skip(mapped, verdict.reason);
      continue;
    }
    const missing = missingRequired(mapped, settings.required);
    if (missing.length > 0) skip(mapped, `missing required ${missing.join(", ")}`);
    else valid.push(mapped);
  }
  if (scopedIds && settings.mirror)
    for (const entry of index)
      if (entry.status !== "deleted" && !scopedIds.has(entry.sourceId) && !changes.has(entry.sourceId))
        removals.push(removalOf(entry, "deleted", "no longer a member of the selected groups"));

  const clashes = await emailClashes(ctx, valid, bySource);
  const remaining = new Set<string>();
  const tenantIndex = settings.updateOnly ? await tenantMatchIndex(ctx) : undefined;
  await writeUsers(
    ctx,
    valid.filter((u) => {
      const other = clashes.get(u.sourceId);
      if (other) skip(u, `email ${u.email} is also used by ${other}; skipped until one changes`);
      return !other;
    }),
    bySource,
    tenantIndex,
    remaining,
    removals,
    (user, reason) => skip(user, reason),
  );
  const arrived = new Set([...remaining].filter((id) => !live(id)));
  const userRemovals = removals.filter((r) => r.kind === "user");
  // Only the deletion guard needs the population, and only when something is removed: counting every profile
  // on each run would make a one-person change cost a scan of the whole tenant.
  const population =
    userRemovals.length === 0
      ? 0
      : await store.profiles.count(connection.tenantId, {
          where: "c.connectionId = @c AND c.status != 'deleted'",
          parameters: [{ name: "@c", value: connection.id }],
        });
  const deletions = new Set(userRemovals.filter((r) => r.action === "deleted").map((r) => r.sourceId));
  // Held back by the deletion guard: they stay in their lists until an admin confirms.
  const held = heldBackUsers(ctx, userRemovals, population);
  const left = new Set([...deletions].filter((id) => !held.has(id)));
  return { arrived, left, held, population };
}

async function incrementalLists(
  ctx: RunContext,
  changes: Map<string, GroupChange>,
  users: { arrived: Set<string>; left: Set<string>; held: Set<string> },
  removals: Removal[],
): Promise<{ population: number }> {
  const { arrived, left, held } = users;
  const { settings, reporter, connection, store } = ctx;
  await reporter.phase("writing changed lists");
  const index = await loadListIndex(ctx);
  if (index.some((e) => e.status !== "deleted" && (!e.nestedGroupIds || !e.membersDigest)))
    throw new FullSyncNeeded("lists were stored before their nested groups and member digests were recorded");
  const bySource = new Map<string, ListIndexEntry>(index.map((e) => [e.sourceId, e]));
  const live = (id: string) => bySource.has(id) && bySource.get(id)?.status !== "deleted";
  const prefix = settings.lists.namePrefix.toLowerCase();
  const inScope = (g: GraphGroup) =>
    (settings.lists.scope === "all" || settings.lists.groupIds.includes(g.id.toLowerCase())) &&
    (!prefix || (g.displayName ?? "").toLowerCase().startsWith(prefix));
  const mirror = settings.mirror && !(settings.what === "lists" && settings.lists.scope === "ids");
  // Lists that hold a group, at any depth, as recorded when their members were last read.
  const holders = (groupId: string) =>
    index.filter((e) => e.status !== "deleted" && e.nestedGroupIds?.includes(groupId)).map((e) => e.sourceId);

  const reread = new Map<string, GraphGroup | undefined>();
  const direct = new Map<string, DirectMemberChange>();
  const directFor = (id: string) => {
    const existing = direct.get(id) ?? { add: new Set<string>(), remove: new Set<string>() };
    direct.set(id, existing);
    return existing;
  };
  for (const [id, change] of changes) {
    const removed = change.group["@removed"];
    // Lists holding a changed group see its member changes through nesting: read those again.
    if (removed || change.membersChanged)
      for (const holder of holders(id)) reread.set(holder, reread.get(holder));
    if (removed) {
      if (live(id) && mirror)
        removals.push(
          listRemoval(
            bySource.get(id) as ListIndexEntry,
            REMOVED_REASON[removed.reason] ?? "removed from Entra ID",
          ),
        );
      continue;
    }
    if (!inScope(change.group)) {
      if (live(id) && mirror)
        removals.push(listRemoval(bySource.get(id) as ListIndexEntry, "outside the list scope"));
      continue;
    }
    const entry = bySource.get(id);
    const nestingMoved = [...change.members.values()].some((m) => m.isGroup);
    if (!live(id) || nestingMoved || (entry?.nestedGroupIds?.length ?? 0) > 0) {
      reread.set(id, change.group);
      continue;
    }
    const d = directFor(id);
    d.group = change.group;
    for (const [memberId, m] of change.members) (m.removed ? d.remove : d.add).add(memberId);
  }

  // Users who became synced profiles join every list they belong to; users removed leave theirs.
  for (const [userId, groupIds] of await memberOf(ctx, [...arrived]))
    for (const groupId of groupIds)
      if (live(groupId) && !reread.has(groupId)) directFor(groupId).add.add(userId);
  if (left.size > 0) {
    const edges = await store.memberships.all(connection.tenantId, {
      where: "c.connectionId = @c AND ARRAY_CONTAINS(@m, c.memberSourceId)",
      parameters: [
        { name: "@c", value: connection.id },
        { name: "@m", value: [...left] },
      ],
      select: "c.listSourceId, c.memberSourceId",
    });
    for (const e of edges) directFor(e.listSourceId).remove.add(e.memberSourceId);
  }

  // Member writes an earlier run announced but may not have finished are completed now.
  for (const e of index)
    if (e.pendingMembers && e.status !== "deleted" && !reread.has(e.sourceId)) directFor(e.sourceId);

  // Only synced profiles are members; users held back by the deletion guard keep their edges.
  const candidates = [...new Set([...direct.values()].flatMap((d) => [...d.add]))];
  const synced = await syncedProfiles(ctx, candidates, left);
  for (const d of direct.values()) {
    for (const id of d.add) if (!synced.has(id)) d.add.delete(id);
    for (const id of held) d.remove.delete(id);
  }
  for (const id of reread.keys()) direct.delete(id);
  reporter.task.progress.total = reporter.task.progress.processed + direct.size + reread.size;
  await applyMemberChanges(ctx, direct, bySource);

  const missing = [...reread].filter(([id, g]) => !g && live(id)).map(([id]) => id);
  if (missing.length > 0)
    for (const g of await requireGroups(ctx.graph, missing, "a list")) reread.set(g.id, g);
  await writeLists(
    ctx,
    [...reread.values()].filter((g): g is GraphGroup => g !== undefined),
    bySource,
    // Members a list already has were synced profiles when their edges were written; unless they left in
    // this run they still are, so only the others are looked up.
    async (ids, known) => {
      const stay = await syncedProfiles(
        ctx,
        ids.filter((id) => !known.has(id)),
        left,
      );
      for (const id of ids) if (known.has(id) && !left.has(id)) stay.add(id);
      return stay;
    },
    held,
    { skipFinished: false },
  );
  return { population: index.filter((e) => e.status !== "deleted").length };
}

async function syncedProfiles(ctx: RunContext, ids: string[], left: Set<string>): Promise<Set<string>> {
  const stay = await profileEntries(ctx, ids);
  return new Set(stay.filter((p) => p.status !== "deleted" && !left.has(p.sourceId)).map((p) => p.sourceId));
}

/** The groups (transitively) holding each user, in batches of 20. */
async function memberOf(ctx: RunContext, userIds: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const responses = await ctx.graph.batchGet(
    userIds.map((id) => ({ id, url: `/users/${id}/transitiveMemberOf?$select=id&$top=999` })),
  );
  for (const r of responses) {
    if (r.status === 404) continue;
    if (r.status >= 400) throw ctx.graph.failureOf(r, `/users/${r.id}/transitiveMemberOf`);
    out.set(r.id, new Set(((r.body as { value?: { id: string }[] }).value ?? []).map((g) => g.id)));
  }
  return out;
}

/** Transitive member ids of the selected groups: ids only, a fraction of reading whole users. */
async function scopedMemberIds(ctx: RunContext): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const groupId of ctx.settings.users.groupIds) {
    for await (const page of ctx.graph.pages<{ id: string; "@odata.type"?: string }>(
      `/groups/${groupId}/transitiveMembers?$select=id&$top=999`,
    )) {
      for (const o of page.items)
        if ((o["@odata.type"] ?? "#microsoft.graph.user") === "#microsoft.graph.user") ids.add(o.id);
    }
  }
  return ids;
}

async function inSelectedGroups(ctx: RunContext, userIds: string[]): Promise<Set<string>> {
  const selected = new Set(ctx.settings.users.groupIds);
  const out = new Set<string>();
  const responses = await ctx.graph.batchGet(
    userIds.map((id) => ({ id, url: `/users/${id}/transitiveMemberOf?$select=id&$top=999` })),
  );
  for (const r of responses) {
    if (r.status >= 400) continue;
    if (((r.body as { value?: { id: string }[] }).value ?? []).some((g) => selected.has(g.id.toLowerCase())))
      out.add(r.id);
  }
  return out;
}

async function fetchUsers(ctx: RunContext, ids: string[]): Promise<GraphUser[]> {
  const select = userSelect(ctx.settings).join(",");
  const responses = await ctx.graph.batchGet(
    ids.map((id) => ({ id, url: `/users/${id}?$select=${select}` })),
  );
  const users: GraphUser[] = [];
  for (const r of responses) {
    if (r.status === 404) continue;
    if (r.status >= 400) throw ctx.graph.failureOf(r, `/users/${r.id}`);
    const parsed = parseUserChange(r.body);
    if (parsed) users.push(parsed[1]);
  }
  return users;
}

const adoptedByRun = new WeakMap<RunContext, Promise<boolean>>();

/** The connection's profiles of these Entra users, as index entries. */
async function profileEntries(ctx: RunContext, sourceIds: string[]): Promise<ProfileIndexEntry[]> {
  const { store, connection, settings } = ctx;
  // Asked once per run: without adopted profiles, an id point reads miss is simply not a profile.
  let adopted = adoptedByRun.get(ctx);
  if (!adopted) {
    adopted = settings.updateOnly
      ? Promise.resolve(true)
      : hasAdoptedProfiles(store, connection.tenantId, connection.id);
    adoptedByRun.set(ctx, adopted);
  }
  const found = await profilesBySource(store, connection.tenantId, connection.id, sourceIds, await adopted);
  return [...found.values()];
}

/**
 * Changed users whose email another live profile of the connection already has: who that is, by name. Only
 * emails new to their profile are looked up: an unchanged email cannot have started a clash.
 */
async function emailClashes(
  ctx: RunContext,
  users: MappedUser[],
  bySource: ReadonlyMap<string, ProfileIndexEntry>,
): Promise<Map<string, string>> {
  const isNew = (u: MappedUser) => {
    const entry = bySource.get(u.sourceId);
    return !entry || entry.status === "deleted" || entry.emailKey !== u.email?.toLowerCase();
  };
  const emails = [...new Set(users.flatMap((u) => (u.email && isNew(u) ? [u.email.toLowerCase()] : [])))];
  const clashes = new Map<string, string>();
  const byEmail = new Map<string, MappedUser[]>();
  for (const u of users)
    if (u.email) byEmail.set(u.email.toLowerCase(), [...(byEmail.get(u.email.toLowerCase()) ?? []), u]);
  for (const same of byEmail.values())
    if (same.length > 1)
      for (const u of same)
        clashes.set(
          u.sourceId,
          same
            .filter((o) => o !== u)
            .map((o) => o.displayName)
            .join(", "),
        );
  for (let i = 0; i < emails.length; i += 200) {
    const rows = await ctx.store.profiles.all(ctx.connection.tenantId, {
      where: "c.connectionId = @c AND c.status != 'deleted' AND ARRAY_CONTAINS(@e, c.emailKey)",
      parameters: [
        { name: "@c", value: ctx.connection.id },
        { name: "@e", value: emails.slice(i, i + 200) },
      ],
      select: "c.sourceId, c.emailKey, c.displayName",
    });
    for (const u of users) {
      const other = (rows as unknown as { sourceId: string; emailKey: string; displayName: string }[]).find(
        (r) => r.emailKey === u.email?.toLowerCase() && r.sourceId !== u.sourceId,
      );
      if (other && !clashes.has(u.sourceId)) clashes.set(u.sourceId, other.displayName);
    }
  }
  return clashes;
}
