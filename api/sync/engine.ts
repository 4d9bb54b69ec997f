import { type DirectoryProblem, isDirectoryProblem } from "../graph/problems.ts";
import type { ListDoc, Problem, ProfileDoc, TaskDoc } from "../store/documents.ts";
import type { Removal, RunContext } from "./context.ts";
import { checkDeletionGuard } from "./guard.ts";
import { contentHash } from "./hash.ts";
import { syncLists } from "./lists-phase.ts";
import { undefinedAttributeMappings } from "./mapping.ts";
import { loadProfiles } from "./profiles.ts";
import { readScopedGroups, requireGroups } from "./reader.ts";
import { TaskCancelled } from "./task-reporter.ts";
import { syncUsers } from "./users-phase.ts";

export type RunOutcome =
  | { status: "succeeded" }
  | { status: "failed"; error: Problem; cause?: DirectoryProblem }
  | { status: "halted"; halt: NonNullable<TaskDoc["halt"]> }
  | { status: "cancelled" };

const SAMPLE = 20;

/**
 * One full sync (or preview) of a connection: read everything in scope, write what changed, and only
 * after a complete, successful read consider removals, which the deletion guard may hold back. Any
 * failure before that point deletes nothing.
 */
export async function runFullSync(ctx: RunContext): Promise<RunOutcome> {
  const { settings, reporter } = ctx;
  try {
    for (const m of undefinedAttributeMappings(settings.mapping, ctx.definedAttributes))
      reporter.note(
        `${m.source} is mapped to custom attribute "${m.target.slice(10)}", which is not defined; it was ignored. Define the attribute to sync it.`,
      );
    const type = reporter.task.taskType;
    const doUsers = settings.what !== "lists" && type !== "lists";
    const doLists = settings.what !== "users" && type !== "users";
    // Every named group is checked before anything is written: a missing one fails the run by name.
    await reporter.phase("checking scope");
    if (doUsers && settings.users.scope === "groups")
      await requireGroups(ctx.graph, settings.users.groupIds, "in the user scope");
    const listGroups = doLists ? await readScopedGroups(ctx.graph, settings) : undefined;
    const removals: Removal[] = [];
    let remaining: ReadonlySet<string> | undefined;
    let userPopulation = 0;
    if (doUsers) {
      const users = await syncUsers(ctx);
      if (users.valid === 0 && users.skipped > 0) return allSkipped(users.skipped, users.skipSummary);
      removals.push(...users.removals);
      remaining = users.remaining;
      userPopulation = users.population;
    }
    let listPopulation = 0;
    if (listGroups) {
      const universe = remaining ?? (await existingProfileIds(ctx));
      const lists = await syncLists(ctx, listGroups, universe);
      removals.push(...lists.removals);
      listPopulation = lists.population;
    }
    return await applyRemovals(ctx, removals, userPopulation, listPopulation);
  } catch (err) {
    if (err instanceof TaskCancelled) return { status: "cancelled" };
    if (isDirectoryProblem(err)) return { status: "failed", error: err.toProblem(), cause: err };
    throw err;
  }
}

async function applyRemovals(
  ctx: RunContext,
  removals: Removal[],
  userPopulation: number,
  listPopulation: number,
): Promise<RunOutcome> {
  const { reporter, settings } = ctx;
  const users = removals.filter((r) => r.kind === "user");
  const lists = removals.filter((r) => r.kind === "list");
  const confirmed = reporter.task.confirmedRemovals ?? 0;
  const userGuard = checkDeletionGuard(settings.deletionGuard, users.length, userPopulation, confirmed);
  const listGuard = checkDeletionGuard(settings.deletionGuard, lists.length, listPopulation, confirmed);
  if (userGuard.trips || listGuard.trips) {
    await reporter.phase("halted by the deletion guard");
    for (const r of removals)
      reporter.record(
        {
          kind: r.kind,
          sourceId: r.sourceId,
          name: r.name,
          ...(r.email ? { email: r.email } : {}),
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
      action: r.action,
      reason: r.reason,
    });
  await reporter.flushRecords(true);
  if (!ctx.preview) {
    await removeProfiles(ctx, users);
    await removeLists(ctx, lists);
  }
  await reporter.save(true);
  return { status: "succeeded" };
}

/** Soft delete: the profile stays restorable for the retention window, then the purge job removes it. */
async function removeProfiles(ctx: RunContext, removals: Removal[]): Promise<void> {
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
  for (const r of removals)
    if (r.action === "deactivated" && r.replacement) writes.push(r.replacement as ProfileDoc);
  await ctx.store.profiles.bulkUpsert(writes);
}

async function removeLists(ctx: RunContext, removals: Removal[]): Promise<void> {
  if (removals.length === 0) return;
  const tenantId = ctx.connection.tenantId;
  const now = ctx.now();
  const purgeAfter = new Date(now.getTime() + ctx.settings.retentionDays * 86400_000).toISOString();
  const writes: ListDoc[] = [];
  for (const r of removals) {
    const doc = await ctx.store.lists.get(tenantId, r.id);
    if (!doc) continue;
    writes.push({
      ...doc,
      status: "deleted",
      deletedAt: now.toISOString(),
      purgeAfter,
      memberCount: 0,
      hash: contentHash({ deleted: doc.hash }),
      lastTaskId: ctx.taskId,
      updatedAt: now.toISOString(),
    });
    const edges = await ctx.store.memberships.all(tenantId, {
      where: "c.listId = @l",
      parameters: [{ name: "@l", value: r.id }],
      select: "c.id",
    });
    await ctx.store.memberships.bulkDelete(
      tenantId,
      edges.map((e) => e.id),
    );
  }
  await ctx.store.lists.bulkUpsert(writes);
}

async function existingProfileIds(ctx: RunContext): Promise<Set<string>> {
  const rows = (await ctx.store.profiles.all(ctx.connection.tenantId, {
    where: "c.connectionId = @c AND c.status != 'deleted'",
    parameters: [{ name: "@c", value: ctx.connection.id }],
    select: "c.sourceId",
  })) as unknown as { sourceId: string }[];
  return new Set(rows.map((r) => r.sourceId));
}

function allSkipped(skipped: number, summary: Map<string, number>): RunOutcome {
  const reasons = [...summary]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([reason, n]) => `${n} × ${reason}`)
    .join("; ");
  return {
    status: "failed",
    error: {
      code: "all-skipped",
      message: `All ${skipped} users in scope were skipped, so nothing was synced (${reasons}).`,
      remedy:
        "Check the required fields, email fallbacks and scope rules in the sync settings; the task details list each user's reason.",
    },
  };
}
