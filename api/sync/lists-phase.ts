import type { PlannedEvent } from "../feed/change-feed.ts";
import type { ListDoc, MembershipDoc } from "../store/documents.ts";
import { type Inheritance, type InheritedList, inheritance } from "./adoption.ts";
import type { Removal, RunContext } from "./context.ts";
import type { GraphGroup } from "./graph-types.ts";
import type { IdLookup } from "./id-set.ts";
import {
  buildList,
  edgeId,
  edgeOf,
  type ListIndexEntry,
  listChanges,
  listRecord,
  listRemoval,
  loadListIndex,
  memberChanges,
  membershipOf,
  membershipReason,
} from "./list-docs.ts";
import type { MemberPrefetch } from "./member-prefetch.ts";
import { readAhead } from "./read-ahead.ts";
import { type GroupMembers, type Malformed, readGroupMembers } from "./reader.ts";
import { listEvent, membershipEvent, writeWithEvents } from "./reconciler/change-events.ts";

export interface ListsOutcome {
  removals: Removal[];
  population: number;
}

interface EdgeEntry {
  listSourceId: string;
  memberSourceId: string;
}

/** Lists written per chunk; also the chunk a full sync's members are read ahead in (see runFull). */
export const MEMBER_BATCH = 100;

/**
 * Lists are the groups in list scope; their members are the group's transitive user members that are
 * synced profiles of this connection, stored as one edge document each.
 */
export async function syncLists(
  ctx: RunContext,
  scoped: { groups: GraphGroup[]; malformed: Malformed[] },
  memberUniverse: IdLookup,
  held: ReadonlySet<string>,
  options: {
    /** A full sync taken over skips the lists its first attempt finished (see writeLists). */
    skipFinished: boolean;
    prefetch?: MemberPrefetch | undefined;
  },
): Promise<ListsOutcome> {
  const { prefetch } = options;
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
    {
      skipFinished: options.skipFinished,
      ...(prefetch ? { members: (ids: string[]) => prefetch.members(ids) } : {}),
    },
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

/**
 * Writes the given groups as lists: reads their transitive user members, keeps those that are synced
 * profiles (`synced` answers which of a set of ids are), and adds or removes membership edges. Edges are
 * loaded per chunk of lists, so memory stays bounded however many memberships the tenant has.
 */
export async function writeLists(
  ctx: RunContext,
  groups: GraphGroup[],
  bySource: ReadonlyMap<string, ListIndexEntry>,
  /** Which of `ids` are synced profiles; `known` are members of these lists already, profiles when written. */
  synced: (ids: string[], known: ReadonlySet<string>) => Promise<Set<string>>,
  held: ReadonlySet<string>,
  options: {
    skipFinished: boolean;
    /** Where Graph's members come from; by default read when the chunk is written. */
    members?: (groupIds: string[]) => Promise<GroupMembers>;
  },
): Promise<void> {
  const { store, connection, reporter } = ctx;
  const tenantId = connection.tenantId;
  const now = ctx.now().toISOString();
  // A full sync taking over from a stopped instance skips the lists it already finished, without reading
  // their members again: the delta links its first attempt kept replay what changed in them since. After a
  // confirmation it reads them all (members held back then are removed now), and an incremental run always
  // does (its delta may hold changes to them made after its first attempt).
  const finished = (g: GraphGroup) => {
    const entry = bySource.get(g.id);
    return (
      options.skipFinished &&
      entry?.lastTaskId === ctx.taskId &&
      !entry.pendingMembers &&
      !reporter.task.confirmedRemovals
    );
  };
  const todo = groups.filter((g) => !finished(g));
  reporter.alreadyDone(groups.length - todo.length);
  // Asked only when there are lists to write: an unchanged incremental run stays free of extra queries.
  const earlier = todo.length > 0 ? await inheritance(ctx) : undefined;
  // Each chunk reads only its own lists' members and edges, so the next chunk's reads (Graph's answer most of
  // all) are made while this one is written.
  const readMembers = options.members ?? ((ids: string[]) => readGroupMembers(ctx.graph, ids));
  const chunks = readAhead(chunkReads(ctx, todo, bySource, earlier, readMembers));
  for await (const { chunk, members, nested, inherited, edgesByList, inheritedEdges } of chunks) {
    const known = new Set([...edgesByList.values()].flatMap((m) => [...m]));
    const universe = await synced([...new Set([...members.values()].flatMap((m) => [...m]))], known);
    const listWrites: ListDoc[] = [];
    const edgeWrites: MembershipDoc[] = [];
    const edgeDeletes: string[] = [];
    const events: PlannedEvent[] = [];
    for (const group of chunk) {
      const current = edgesByList.get(group.id) ?? new Set<string>();
      const fromGraph = [...(members.get(group.id) ?? [])].filter((id) => universe.has(id));
      // Members whose removal waits for an admin keep their edges until then.
      const desired = new Set([...fromGraph, ...[...current].filter((id) => held.has(id))]);
      const added = [...desired].filter((id) => !current.has(id));
      const removed = [...current].filter((id) => !desired.has(id));
      const taken = inherited.get(group.id);
      const entry = bySource.get(group.id) ?? taken;
      const nestedIds = [...(nested.get(group.id) ?? [])].sort();
      const doc = buildList(group, membershipOf([...desired]), ctx, now, entry, nestedIds);
      // Already written by this task before a restart or confirmation: counted from its record.
      if (entry?.lastTaskId === ctx.taskId && entry.hash === doc.hash && !entry.pendingMembers) {
        reporter.alreadyDone();
        continue;
      }
      if (!entry) reporter.record(listRecord(group, "created", `new list with ${desired.size} members`));
      else if (taken)
        reporter.record({
          ...listRecord(
            group,
            taken.status === "deleted" ? "restored" : "updated",
            `taken over from ${earlier?.from(taken) ?? "an earlier connection"}`,
          ),
          ...(added.length + removed.length > 0 ? { changedFields: ["members"] } : {}),
          ...memberChanges(added, removed),
        });
      else if (entry.status === "deleted") reporter.record(listRecord(group, "restored", "back in scope"));
      else if (entry.hash === doc.hash && added.length + removed.length === 0 && !entry.pendingMembers) {
        reporter.record(listRecord(group, "unchanged"));
        continue;
      } else
        reporter.record({
          ...listRecord(group, "updated", membershipReason(added.length, removed.length)),
          changedFields: listChanges(entry, doc, added.length + removed.length > 0),
          ...memberChanges(added, removed),
        });
      listWrites.push(doc);
      events.push(
        listEvent(
          !entry ? "list.created" : entry.status === "deleted" ? "list.restored" : "list.updated",
          doc,
          entry,
        ),
      );
      for (const m of added) {
        const edge = edgeOf(ctx, doc, group.id, m);
        edgeWrites.push(edge);
        events.push(membershipEvent("membership.added", edge));
      }
      if (taken) {
        // The list's edges move to this connection (its runs read and remove edges by their own ids); members
        // who stay are no change to the application, so only those added or removed become events.
        for (const edge of inheritedEdges.get(group.id) ?? []) edgeDeletes.push(edge.id);
        for (const m of desired) if (current.has(m)) edgeWrites.push(edgeOf(ctx, doc, group.id, m));
        for (const m of removed)
          events.push(membershipEvent("membership.removed", edgeOf(ctx, doc, group.id, m)));
        continue;
      }
      for (const m of removed) {
        edgeDeletes.push(edgeId(connection.id, group.id, m));
        events.push(membershipEvent("membership.removed", edgeOf(ctx, doc, group.id, m)));
      }
    }
    await writeWithEvents(ctx, events, async () => {
      await store.memberships.bulkUpsert(edgeWrites);
      await store.memberships.bulkDelete(tenantId, edgeDeletes);
      await store.lists.bulkUpsert(listWrites);
    });
    await reporter.save();
  }
}

/** What writing one chunk of lists needs to read: Graph's members, and what the store holds for them. */
async function* chunkReads(
  ctx: RunContext,
  groups: GraphGroup[],
  bySource: ReadonlyMap<string, ListIndexEntry>,
  earlier: Inheritance | undefined,
  readMembers: (groupIds: string[]) => Promise<GroupMembers>,
) {
  for (let i = 0; i < groups.length; i += MEMBER_BATCH) {
    const chunk = groups.slice(i, i + MEMBER_BATCH);
    const ids = chunk.map((g) => g.id);
    const { users: members, nested } = await readMembers(ids);
    const inherited = earlier
      ? await earlier.findLists(ids.filter((id) => !bySource.has(id)))
      : new Map<string, InheritedList>();
    const edgesByList = await loadEdges(ctx, ids);
    const inheritedEdges = await loadInheritedEdges(ctx, [...inherited.values()]);
    for (const [listSourceId, edges] of inheritedEdges)
      edgesByList.set(listSourceId, new Set(edges.map((e) => e.memberSourceId)));
    yield { chunk, members, nested, inherited, edgesByList, inheritedEdges };
  }
}

/** The membership edges of lists taken over from earlier connections, by the list's Entra group id. */
async function loadInheritedEdges(
  ctx: RunContext,
  lists: InheritedList[],
): Promise<Map<string, (EdgeEntry & { id: string })[]>> {
  const byList = new Map<string, (EdgeEntry & { id: string })[]>();
  if (lists.length === 0) return byList;
  const rows = (await ctx.store.memberships.all(ctx.connection.tenantId, {
    where: "ARRAY_CONTAINS(@l, c.listId) AND c.connectionId != @c",
    parameters: [
      { name: "@l", value: lists.map((l) => l.id) },
      { name: "@c", value: ctx.connection.id },
    ],
    select: "c.id, c.listSourceId, c.memberSourceId",
  })) as unknown as (EdgeEntry & { id: string })[];
  for (const e of rows) byList.set(e.listSourceId, [...(byList.get(e.listSourceId) ?? []), e]);
  return byList;
}

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
