import type { ListDoc, MembershipDoc } from "../../store/documents.ts";
import type { WriteContext } from "../context.ts";
import type { GraphGroup } from "../graph-types.ts";
import {
  buildList,
  EMPTY_DIGEST,
  edgeId,
  edgeOf,
  type ListIndexEntry,
  listChanges,
  listRecord,
  memberChanges,
  membershipReason,
  toggleMembers,
} from "../list-docs.ts";
import { listEvent, membershipEvent, writeWithEvents } from "./change-events.ts";

export interface DirectMemberChange {
  add: Set<string>;
  remove: Set<string>;
  /** The group's properties as delta reported them, if it reported any. */
  group?: GraphGroup;
}

const CHUNK = 100;

interface Planned {
  doc: ListDoc;
  add: string[];
  remove: string[];
}

/**
 * Applies member changes that are known exactly (a user joined or left a group with no nested groups)
 * without reading the group's members from Graph or the list's edges from Cosmos: only the edges of the
 * changed members are read, by id, and the list's count and digest are updated from them. The cost follows
 * the change, not the list's size.
 *
 * Order makes it crash-safe: the list is written first with the edge writes it now counts as pending, then
 * the edges, then the list without them. A run that dies in between leaves the pending writes on the list,
 * and the next run that touches it finishes them (they are idempotent) before applying its own.
 */
export async function applyMemberChanges(
  ctx: WriteContext,
  changes: Map<string, DirectMemberChange>,
  bySource: ReadonlyMap<string, ListIndexEntry>,
): Promise<void> {
  const ids = [...changes.keys()].filter((id) => bySource.has(id));
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const present = await presentEdges(ctx, chunk, changes, bySource);
    const planned: Planned[] = [];
    for (const id of chunk) {
      const entry = bySource.get(id) as ListIndexEntry;
      const plan = planList(ctx, entry, changes.get(id) as DirectMemberChange, present);
      if (plan) planned.push(plan);
    }
    await ctx.reporter.flushRecords(true);
    if (!ctx.preview) await writePlanned(ctx, planned, bySource);
    await ctx.reporter.save();
  }
}

/** Which of the changed members already have an edge, with any unfinished writes counted as done. */
async function presentEdges(
  ctx: WriteContext,
  listIds: string[],
  changes: Map<string, DirectMemberChange>,
  bySource: ReadonlyMap<string, ListIndexEntry>,
): Promise<Set<string>> {
  const { connection } = ctx;
  const toRead: string[] = [];
  for (const id of listIds) {
    const change = changes.get(id) as DirectMemberChange;
    for (const m of [...change.add, ...change.remove]) toRead.push(edgeId(connection.id, id, m));
  }
  const present = new Set((await ctx.store.memberships.readMany(connection.tenantId, toRead)).keys());
  for (const id of listIds) {
    const pending = bySource.get(id)?.pendingMembers;
    for (const m of pending?.add ?? []) present.add(edgeId(connection.id, id, m));
    for (const m of pending?.remove ?? []) present.delete(edgeId(connection.id, id, m));
  }
  return present;
}

function planList(
  ctx: WriteContext,
  entry: ListIndexEntry,
  change: DirectMemberChange,
  present: ReadonlySet<string>,
): Planned | undefined {
  const { connection, reporter } = ctx;
  const has = (m: string) => present.has(edgeId(connection.id, entry.sourceId, m));
  // A member both added and removed in one run ends removed, as Graph's last word on it.
  const added = [...change.add].filter((m) => !change.remove.has(m) && !has(m));
  const removed = [...change.remove].filter(has);
  const reported = Object.fromEntries(Object.entries(change.group ?? {}).filter(([, v]) => v !== undefined));
  const group = {
    id: entry.sourceId,
    displayName: entry.name,
    description: entry.description,
    mail: entry.mail,
    groupTypes: entry.groupTypes,
    ...reported,
  } as GraphGroup;
  const membership = {
    count: (entry.memberCount ?? 0) + added.length - removed.length,
    digest: toggleMembers(entry.membersDigest ?? EMPTY_DIGEST, [...added, ...removed]),
  };
  const doc = buildList(group, membership, ctx, ctx.now().toISOString(), entry);
  const unfinished = entry.pendingMembers;
  const ownEarlierWrite = entry.lastTaskId === ctx.taskId;
  if (entry.hash !== doc.hash)
    reporter.record({
      ...listRecord(group, "updated", membershipReason(added.length, removed.length)),
      changedFields: listChanges(entry, doc, added.length + removed.length > 0),
      ...memberChanges(added, removed),
    });
  else if (unfinished && !ownEarlierWrite)
    reporter.record({
      ...listRecord(
        group,
        "updated",
        `members: finished ${unfinished.add.length + unfinished.remove.length} changes an interrupted run left unwritten`,
      ),
      changedFields: ["members"],
    });
  // Written by this task before a restart: already counted from its record.
  else if (!ownEarlierWrite) reporter.record(listRecord(group, "unchanged"));
  else reporter.alreadyDone();
  if (entry.hash === doc.hash && !unfinished) return undefined;
  // Unfinished writes of an earlier run go out with this run's; a member's latest change wins.
  const add = new Set([...(unfinished?.add ?? []).filter((m) => !removed.includes(m)), ...added]);
  const remove = new Set([...(unfinished?.remove ?? []).filter((m) => !added.includes(m)), ...removed]);
  return { doc, add: [...add], remove: [...remove] };
}

async function writePlanned(
  ctx: WriteContext,
  planned: Planned[],
  bySource: ReadonlyMap<string, ListIndexEntry>,
): Promise<void> {
  const { store, connection, taskId } = ctx;
  if (planned.length === 0) return;
  const edgeWrites: MembershipDoc[] = planned.flatMap((p) =>
    p.add.map((m) => edgeOf(ctx, p.doc, p.doc.sourceId, m)),
  );
  const removedEdges = planned.flatMap((p) => p.remove.map((m) => edgeOf(ctx, p.doc, p.doc.sourceId, m)));
  const events = [
    ...planned.map((p) => listEvent("list.updated", p.doc, bySource.get(p.doc.sourceId))),
    ...edgeWrites.map((e) => membershipEvent("membership.added", e)),
    ...removedEdges.map((e) => membershipEvent("membership.removed", e)),
  ];
  await writeWithEvents(ctx, events, async () => {
    await store.lists.bulkUpsert(
      planned.map((p) => ({ ...p.doc, pendingMembers: { taskId, add: p.add, remove: p.remove } })),
    );
    await store.memberships.bulkUpsert(edgeWrites);
    await store.memberships.bulkDelete(
      connection.tenantId,
      removedEdges.map((e) => e.id),
    );
    await store.lists.bulkUpsert(planned.map((p) => p.doc));
  });
}
