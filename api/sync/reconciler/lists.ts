import type { ListDoc, ScimShadow } from "../../store/documents.ts";
import type { WriteContext } from "../context.ts";
import type { GraphGroup } from "../graph-types.ts";
import { buildList, EMPTY_DIGEST, type ListIndexEntry, listRecord } from "../list-docs.ts";
import { listEvent, writeWithEvents } from "./change-events.ts";
import { applyMemberChanges } from "./member-changes.ts";
import { removeLists } from "./removals.ts";

/**
 * The reconciler's list changes for sources that hand over one group at a time. Member changes go through
 * applyMemberChanges, the Graph delta path's own writer (crash-safe pending members, digests, events).
 */

const asEntry = (doc: ListDoc): ListIndexEntry => doc;

/** Creates, restores or updates a list's own properties (its members are changed apart). */
export async function writeList(
  ctx: WriteContext,
  group: GraphGroup,
  target: ListDoc | undefined,
  shadow: ScimShadow | undefined,
  reason: string,
): Promise<ListDoc> {
  const now = ctx.now().toISOString();
  const live = target && target.status !== "deleted";
  const membership = live
    ? { count: target.memberCount, digest: target.membersDigest ?? EMPTY_DIGEST }
    : { count: 0, digest: EMPTY_DIGEST };
  const doc: ListDoc = {
    ...buildList(group, membership, ctx, now, target ? asEntry(target) : undefined),
    ...(shadow ? { scim: shadow } : {}),
  };
  const action = !target
    ? "created"
    : !live
      ? "restored"
      : target.hash !== doc.hash
        ? "updated"
        : "unchanged";
  ctx.reporter.record({
    ...listRecord(group, action, reason),
    ...(action === "updated" ? { changedFields: ["details"] } : {}),
  });
  const event =
    action === "created"
      ? "list.created"
      : action === "restored"
        ? "list.restored"
        : action === "updated"
          ? "list.updated"
          : undefined;
  await writeWithEvents(ctx, event ? [listEvent(event, doc, target)] : [], () =>
    ctx.store.lists.upsert(doc).then(() => undefined),
  );
  return doc;
}

/** Adds and removes members (by their profiles' source ids), with the list's count, digest and events. */
export async function changeMembers(
  ctx: WriteContext,
  list: ListDoc,
  add: Iterable<string>,
  remove: Iterable<string>,
): Promise<void> {
  const change = { add: new Set(add), remove: new Set(remove) };
  if (change.add.size + change.remove.size === 0) return;
  await applyMemberChanges(
    ctx,
    new Map([[list.sourceId, change]]),
    new Map([[list.sourceId, asEntry(list)]]),
  );
}

/** Soft-deletes a list and removes its edges, with events and a record. */
export async function deleteList(ctx: WriteContext, list: ListDoc, reason: string): Promise<void> {
  ctx.reporter.record({ kind: "list", sourceId: list.sourceId, name: list.name, action: "deleted", reason });
  await ctx.reporter.flushRecords(true);
  await removeLists(ctx, [
    { kind: "list", id: list.id, sourceId: list.sourceId, name: list.name, action: "deleted", reason },
  ]);
}
