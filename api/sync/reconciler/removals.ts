import type { ListDoc, ProfileDoc, TaskDoc } from "../../store/documents.ts";
import type { Removal, WriteContext } from "../context.ts";
import { contentHash } from "../hash.ts";
import { EMPTY_DIGEST } from "../list-docs.ts";
import { loadProfiles } from "../profiles.ts";
import { TaskCancelled } from "../task-reporter.ts";
import { listEvent, membershipEvent, profileEvent, writeWithEvents } from "./change-events.ts";
import { checkDeletionGuard } from "./guard.ts";

export type RemovalOutcome =
  | { status: "succeeded" }
  | { status: "halted"; halt: NonNullable<TaskDoc["halt"]> };

const SAMPLE = 20;

/**
 * Applies the removals a complete read produced, unless the deletion guard holds them for an admin: then
 * nothing is removed and each would-be removal is recorded as pending.
 */
export async function applyRemovals(
  ctx: WriteContext,
  removals: Removal[],
  userPopulation: number,
  listPopulation: number,
): Promise<RemovalOutcome> {
  const { reporter, settings } = ctx;
  const users = removals.filter((r) => r.kind === "user");
  const lists = removals.filter((r) => r.kind === "list");
  const confirmed = reporter.task.confirmedRemovals ?? 0;
  const userGuard = checkDeletionGuard(settings.deletionGuard, users.length, userPopulation, confirmed);
  const listGuard = checkDeletionGuard(settings.deletionGuard, lists.length, listPopulation, confirmed);
  // A preview only reports what would go; it never waits for a confirmation.
  if (!ctx.preview && (userGuard.trips || listGuard.trips)) {
    await reporter.phase("halted by the deletion guard");
    for (const r of removals)
      reporter.record(
        {
          kind: r.kind,
          sourceId: r.sourceId,
          name: r.name,
          ...(r.email ? { email: r.email } : {}),
          ...(r.upn ? { upn: r.upn } : {}),
          action: r.action === "deleted" ? "pending-delete" : "pending-deactivate",
          reason: `${r.reason}; waiting for an admin to confirm`,
        },
        false,
      );
    await reporter.flushRecords(true);
    return {
      status: "halted",
      halt: {
        wouldDelete: removals.filter((r) => r.action === "deleted").length,
        wouldDeactivate: removals.filter((r) => r.action === "deactivated").length,
        sample: removals.slice(0, SAMPLE).map((r) => r.name),
        threshold: userGuard.trips ? userGuard.threshold : listGuard.threshold,
      },
    };
  }
  if (removals.length > 0)
    await reporter.phase("removing", (reporter.task.progress.total ?? 0) + removals.length);
  for (const r of removals)
    reporter.record({
      kind: r.kind,
      sourceId: r.sourceId,
      name: r.name,
      ...(r.email ? { email: r.email } : {}),
      ...(r.upn ? { upn: r.upn } : {}),
      action: r.action,
      reason: r.reason,
    });
  await reporter.flushRecords(true);
  if (!ctx.preview) {
    await removeProfiles(ctx, users);
    await removeLists(ctx, lists);
  }
  // Removals are applied: a cancel that arrives now is too late, and the task says what it did.
  await reporter.save(true).catch((err) => {
    if (!(err instanceof TaskCancelled)) throw err;
    reporter.note("A cancel arrived after the removals were applied; the task finished them.");
  });
  return { status: "succeeded" };
}

/** Soft delete: the profile stays restorable for the retention window, then the purge job removes it. */
export async function removeProfiles(ctx: WriteContext, removals: Removal[]): Promise<void> {
  const now = ctx.now();
  const purgeAfter = new Date(now.getTime() + ctx.settings.retentionDays * 86400_000).toISOString();
  const deletions = removals.filter((r) => r.action === "deleted");
  const docs = await loadProfiles(
    ctx.store,
    ctx.connection.tenantId,
    deletions.map((r) => r.id),
  );
  const writes: ProfileDoc[] = [...docs.values()].map((doc) => ({
    ...doc,
    status: "deleted",
    deletedAt: now.toISOString(),
    purgeAfter,
    hash: contentHash({ deleted: doc.hash }),
    lastTaskId: ctx.taskId,
    updatedAt: now.toISOString(),
  }));
  const events = writes.map((doc) => profileEvent("profile.deleted", doc, docs.get(doc.id)));
  for (const r of removals)
    if (r.action === "deactivated" && r.replacement) {
      const doc = r.replacement as ProfileDoc;
      writes.push(doc);
      events.push(profileEvent("profile.deactivated", doc, r.before as ProfileDoc | undefined));
    }
  await writeWithEvents(ctx, events, () => ctx.store.profiles.bulkUpsert(writes));
}

export async function removeLists(ctx: WriteContext, removals: Removal[]): Promise<void> {
  const tenantId = ctx.connection.tenantId;
  const now = ctx.now();
  const purgeAfter = new Date(now.getTime() + ctx.settings.retentionDays * 86400_000).toISOString();
  // A hundred lists at a time: read by id, their edges in one query, all deletes in one bulk call.
  for (let i = 0; i < removals.length; i += 100) {
    const ids = removals.slice(i, i + 100).map((r) => r.id);
    const byIds = { where: "ARRAY_CONTAINS(@ids, c.listId)", parameters: [{ name: "@ids", value: ids }] };
    const docs = await ctx.store.lists.readMany(tenantId, ids);
    const edges = await ctx.store.memberships.all(tenantId, {
      ...byIds,
      select: "c.id, c.connectionId, c.listId, c.listSourceId, c.memberSourceId",
    });
    const deleted: ListDoc[] = [...docs.values()].map(({ pendingMembers: _finished, ...doc }) => ({
      ...doc,
      status: "deleted" as const,
      deletedAt: now.toISOString(),
      purgeAfter,
      memberCount: 0,
      membersDigest: EMPTY_DIGEST,
      hash: contentHash({ deleted: doc.hash }),
      lastTaskId: ctx.taskId,
      updatedAt: now.toISOString(),
    }));
    const events = [
      ...edges.map((e) => membershipEvent("membership.removed", e)),
      ...deleted.map((doc) => listEvent("list.deleted", doc, docs.get(doc.id))),
    ];
    await writeWithEvents(ctx, events, async () => {
      await ctx.store.memberships.bulkDelete(
        tenantId,
        edges.map((e) => e.id),
      );
      await ctx.store.lists.bulkUpsert(deleted);
    });
  }
}
