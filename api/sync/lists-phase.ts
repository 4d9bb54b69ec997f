import type { ListDoc, MembershipDoc } from "../store/documents.ts";
import type { Removal, RunContext } from "./context.ts";
import type { GraphGroup } from "./graph-types.ts";
import { contentHash } from "./hash.ts";
import { type Malformed, readGroupMembers } from "./reader.ts";

export interface ListsOutcome {
  removals: Removal[];
  population: number;
}

export interface ListIndexEntry {
  id: string;
  sourceId: string;
  status: ListDoc["status"];
  hash: string;
  name: string;
  lastTaskId: string;
  createdAt: string;
  description: string | null;
  mail: string | null;
  groupTypes: string[];
  nestedGroupIds?: string[];
}

interface EdgeEntry {
  listSourceId: string;
  memberSourceId: string;
}

const MEMBER_BATCH = 100;

export const listId = (connectionId: string, sourceId: string) => `${connectionId}.${sourceId}`;
export const edgeId = (connectionId: string, listSourceId: string, memberSourceId: string) =>
  `${connectionId}.${listSourceId}.${memberSourceId}`;

/**
 * Lists are the groups in list scope; their members are the group's transitive user members that are
 * synced profiles of this connection, stored as one edge document each.
 */
export async function syncLists(
  ctx: RunContext,
  scoped: { groups: GraphGroup[]; malformed: Malformed[] },
  memberUniverse: ReadonlySet<string>,
  held: ReadonlySet<string> = new Set(),
): Promise<ListsOutcome> {
  const { reporter } = ctx;
  const index = await loadListIndex(ctx);
  const { groups, malformed } = scoped;
  const unreadable = new Set(malformed.map((m) => m.id));
  for (const bad of malformed)
    reporter.record({ kind: "list", sourceId: bad.id, name: bad.id, action: "error", reason: bad.problem });

  await reporter.phase("writing lists", (reporter.task.progress.total ?? 0) + groups.length);
  await writeLists(
    ctx,
    groups,
    new Map(index.map((e) => [e.sourceId, e])),
    async (ids) => new Set(ids.filter((id) => memberUniverse.has(id))),
    held,
  );

  const removals: Removal[] = [];
  // A whitelist of lists only adds: with "lists only" and named groups nothing is deleted.
  const mirrorLists =
    ctx.settings.mirror && !(ctx.settings.what === "lists" && ctx.settings.lists.scope === "ids");
  if (mirrorLists) {
    const inScope = new Set(groups.map((g) => g.id));
    for (const entry of index) {
      // An unreadable group is unknown, not gone.
      if (entry.status === "deleted" || inScope.has(entry.sourceId) || unreadable.has(entry.sourceId))
        continue;
      removals.push(listRemoval(entry, "group no longer in Entra ID or outside the list scope"));
    }
  }
  return { removals, population: index.filter((e) => e.status !== "deleted").length };
}

export const listRemoval = (entry: ListIndexEntry, reason: string): Removal => ({
  kind: "list",
  id: entry.id,
  sourceId: entry.sourceId,
  name: entry.name,
  action: "deleted",
  reason,
});

export async function loadListIndex(ctx: RunContext): Promise<ListIndexEntry[]> {
  return (await ctx.store.lists.all(ctx.connection.tenantId, {
    where: "c.connectionId = @c",
    parameters: [{ name: "@c", value: ctx.connection.id }],
    select:
      "c.id, c.sourceId, c.status, c.hash, c.name, c.lastTaskId, c.createdAt, c.description, c.mail, c.groupTypes, c.nestedGroupIds",
  })) as unknown as ListIndexEntry[];
}

/**
 * Writes the given groups as lists: reads their transitive user members, keeps those that are synced
 * profiles (`synced` answers which of a set of ids are), and adds or removes membership edges. Edges are
 * loaded per chunk of lists, so memory stays bounded however many memberships the tenant has.
 */
export async function writeLists(
  ctx: RunContext,
  groups: GraphGroup[],
  bySource: ReadonlyMap<string, ListIndexEntry>,
  synced: (ids: string[]) => Promise<Set<string>>,
  held: ReadonlySet<string> = new Set(),
): Promise<void> {
  const { store, connection, reporter } = ctx;
  const tenantId = connection.tenantId;
  const now = ctx.now().toISOString();
  for (let i = 0; i < groups.length; i += MEMBER_BATCH) {
    const chunk = groups.slice(i, i + MEMBER_BATCH);
    const { users: members, nested } = await readGroupMembers(
      ctx.graph,
      chunk.map((g) => g.id),
    );
    const universe = await synced([...new Set([...members.values()].flatMap((m) => [...m]))]);
    const edgesByList = await loadEdges(
      ctx,
      chunk.map((g) => g.id),
    );
    const listWrites: ListDoc[] = [];
    const edgeWrites: MembershipDoc[] = [];
    const edgeDeletes: string[] = [];
    for (const group of chunk) {
      const current = edgesByList.get(group.id) ?? new Set<string>();
      const fromGraph = [...(members.get(group.id) ?? [])].filter((id) => universe.has(id));
      // Members whose removal waits for an admin keep their edges until then.
      const desired = [...new Set([...fromGraph, ...[...current].filter((id) => held.has(id))])].sort();
      const added = desired.filter((id) => !current.has(id));
      const removed = [...current].filter((id) => !desired.includes(id));
      const entry = bySource.get(group.id);
      const doc = buildList(group, desired, ctx, now, entry, [...(nested.get(group.id) ?? [])].sort());
      // Already written by this task before a restart or confirmation: counted from its record.
      if (entry?.lastTaskId === ctx.taskId && entry.hash === doc.hash) continue;
      if (!entry) reporter.record(listRecord(group, "created", `new list with ${desired.length} members`));
      else if (entry.status === "deleted") reporter.record(listRecord(group, "restored", "back in scope"));
      else if (entry.hash === doc.hash && added.length + removed.length === 0) {
        reporter.record(listRecord(group, "unchanged"));
        continue;
      } else
        reporter.record({
          ...listRecord(group, "updated", membershipReason(added.length, removed.length)),
          changedFields: listChanges(entry, doc, added.length + removed.length > 0),
        });
      listWrites.push(doc);
      for (const m of added) edgeWrites.push(edgeOf(ctx, doc, group.id, m));
      for (const m of removed) edgeDeletes.push(edgeId(connection.id, group.id, m));
    }
    await reporter.flushRecords(true);
    if (!ctx.preview) {
      await store.memberships.bulkUpsert(edgeWrites);
      await store.memberships.bulkDelete(tenantId, edgeDeletes);
      await store.lists.bulkUpsert(listWrites);
    }
    await reporter.save();
  }
}

export interface DirectMemberChange {
  add: Set<string>;
  remove: Set<string>;
  /** The group's properties as delta reported them, if it reported any. */
  group?: GraphGroup;
}

/**
 * Applies member changes that are known exactly (a user joined or left a group with no nested groups)
 * straight to the edges, without reading the group's members from Graph again.
 */
export async function applyMemberChanges(
  ctx: RunContext,
  changes: Map<string, DirectMemberChange>,
  bySource: ReadonlyMap<string, ListIndexEntry>,
): Promise<void> {
  const { store, connection, reporter } = ctx;
  const now = ctx.now().toISOString();
  const ids = [...changes.keys()].filter((id) => bySource.has(id));
  for (let i = 0; i < ids.length; i += MEMBER_BATCH) {
    const chunk = ids.slice(i, i + MEMBER_BATCH);
    const edgesByList = await loadEdges(ctx, chunk);
    const listWrites: ListDoc[] = [];
    const edgeWrites: MembershipDoc[] = [];
    const edgeDeletes: string[] = [];
    for (const id of chunk) {
      const entry = bySource.get(id) as ListIndexEntry;
      const change = changes.get(id) as DirectMemberChange;
      const current = edgesByList.get(id) ?? new Set<string>();
      const next = new Set(current);
      for (const m of change.add) next.add(m);
      for (const m of change.remove) next.delete(m);
      const reported = Object.fromEntries(
        Object.entries(change.group ?? {}).filter(([, v]) => v !== undefined),
      );
      const group = {
        id,
        displayName: entry.name,
        description: entry.description,
        mail: entry.mail,
        groupTypes: entry.groupTypes,
        ...reported,
      } as GraphGroup;
      const members = [...next].sort();
      const doc = buildList(group, members, ctx, now, entry);
      const added = members.filter((m) => !current.has(m));
      const removed = [...current].filter((m) => !next.has(m));
      if (entry.hash === doc.hash) {
        reporter.record(listRecord(group, "unchanged"));
        continue;
      }
      reporter.record({
        ...listRecord(group, "updated", membershipReason(added.length, removed.length)),
        changedFields: listChanges(entry, doc, added.length + removed.length > 0),
      });
      listWrites.push(doc);
      for (const m of added) edgeWrites.push(edgeOf(ctx, doc, id, m));
      for (const m of removed) edgeDeletes.push(edgeId(connection.id, id, m));
    }
    await reporter.flushRecords(true);
    if (!ctx.preview) {
      await store.memberships.bulkUpsert(edgeWrites);
      await store.memberships.bulkDelete(connection.tenantId, edgeDeletes);
      await store.lists.bulkUpsert(listWrites);
    }
    await reporter.save();
  }
}

const edgeOf = (
  ctx: RunContext,
  list: ListDoc,
  listSourceId: string,
  memberSourceId: string,
): MembershipDoc => ({
  id: edgeId(ctx.connection.id, listSourceId, memberSourceId),
  tenantId: ctx.connection.tenantId,
  type: "membership",
  connectionId: ctx.connection.id,
  listId: list.id,
  listSourceId,
  memberSourceId,
  lastTaskId: ctx.taskId,
});

async function loadEdges(ctx: RunContext, listSourceIds: string[]): Promise<Map<string, Set<string>>> {
  const rows = (await ctx.store.memberships.all(ctx.connection.tenantId, {
    where: "c.connectionId = @c AND ARRAY_CONTAINS(@l, c.listSourceId)",
    parameters: [
      { name: "@c", value: ctx.connection.id },
      { name: "@l", value: listSourceIds },
    ],
    select: "c.listSourceId, c.memberSourceId",
  })) as unknown as EdgeEntry[];
  const byList = new Map<string, Set<string>>();
  for (const e of rows) {
    const set = byList.get(e.listSourceId) ?? new Set<string>();
    set.add(e.memberSourceId);
    byList.set(e.listSourceId, set);
  }
  return byList;
}

export function buildList(
  group: GraphGroup,
  members: string[],
  ctx: RunContext,
  now: string,
  entry?: ListIndexEntry,
  nestedGroupIds: string[] = entry?.nestedGroupIds ?? [],
): ListDoc {
  const content = {
    name: group.displayName ?? group.id,
    description: group.description ?? null,
    mail: group.mail ?? null,
    groupTypes: group.groupTypes ?? [],
  };
  return {
    id: entry?.id ?? listId(ctx.connection.id, group.id),
    tenantId: ctx.connection.tenantId,
    type: "list",
    connectionId: ctx.connection.id,
    sourceId: group.id,
    source: "entra",
    status: "active",
    ...content,
    memberCount: members.length,
    nestedGroupIds,
    hash: contentHash({ ...content, members, nestedGroupIds }),
    lastTaskId: ctx.taskId,
    createdAt: entry?.createdAt ?? now,
    updatedAt: now,
  };
}

export const membershipReason = (added: number, removed: number) =>
  added + removed === 0 ? "changed in Entra ID" : `members: ${added} added, ${removed} removed`;

function listChanges(entry: ListIndexEntry, doc: ListDoc, membersChanged: boolean): string[] {
  const changed: string[] = [];
  if (entry.name !== doc.name) changed.push("name");
  if (membersChanged) changed.push("members");
  if (changed.length === 0) changed.push("details");
  return changed;
}

export const listRecord = (
  group: GraphGroup,
  action: "created" | "updated" | "unchanged" | "restored",
  reason?: string,
) => ({
  kind: "list" as const,
  sourceId: group.id,
  name: group.displayName ?? group.id,
  action,
  ...(reason ? { reason } : {}),
});
