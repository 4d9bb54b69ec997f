import type { Problem } from "../domain/problem.ts";
import { type DirectoryProblem, isDirectoryProblem } from "../graph/problems.ts";
import type { TaskDoc } from "../store/documents.ts";
import type { Removal, RunContext } from "./context.ts";
import { FullSyncNeeded } from "./delta-reader.ts";
import { type DeltaResource, incrementalBlocker, latestDeltaLinks, saveDeltaState } from "./delta-state.ts";
import type { IdLookup } from "./id-set.ts";
import { runIncrementalPhases } from "./incremental.ts";
import { MEMBER_BATCH, syncLists } from "./lists-phase.ts";
import { undefinedAttributeMappings } from "./mapping.ts";
import { MemberPrefetch } from "./member-prefetch.ts";
import { readScopedGroups, requireGroups } from "./reader.ts";
import { heldBackUsers } from "./reconciler/guard.ts";
import { applyRemovals } from "./reconciler/removals.ts";
import { TaskCancelled } from "./task-reporter.ts";
import { syncUsers } from "./users-phase.ts";

export type RunOutcome =
  | { status: "succeeded" }
  | { status: "failed"; error: Problem; cause?: DirectoryProblem }
  | { status: "halted"; halt: NonNullable<TaskDoc["halt"]> }
  | { status: "cancelled" };

/**
 * Runs one task. An incremental task reads only Graph's delta changes; when it cannot (no delta link yet,
 * settings changed, the link expired, a full reconciliation is due) it runs a full sync and says why.
 * Any failure before removals deletes nothing.
 */
export async function runSync(ctx: RunContext): Promise<RunOutcome> {
  try {
    if (ctx.reporter.task.taskType === "incremental") {
      let blocker = await incrementalBlocker(ctx.store, ctx.connection, ctx.settings, ctx.now());
      if (!blocker) {
        try {
          return await runIncremental(ctx);
        } catch (err) {
          if (!(err instanceof FullSyncNeeded)) throw err;
          blocker = err.message;
        }
      }
      ctx.reporter.note(`Ran a full sync instead of an incremental one: ${blocker}.`);
    }
    return await runFull(ctx);
  } catch (err) {
    if (err instanceof TaskCancelled) return { status: "cancelled" };
    if (isDirectoryProblem(err)) return { status: "failed", error: err.toProblem(), cause: err };
    throw err;
  }
}

async function runIncremental(ctx: RunContext): Promise<RunOutcome> {
  const result = await runIncrementalPhases(ctx);
  if (!result.changed) {
    ctx.reporter.note("Nothing changed in Entra ID since the last sync.");
    return { status: "succeeded" };
  }
  const outcome = await applyRemovals(ctx, result.removals, result.userPopulation, result.listPopulation);
  if (outcome.status === "succeeded" && !ctx.preview) await saveLinks(ctx, result.deltaLinks, undefined);
  return outcome;
}

async function saveLinks(
  ctx: RunContext,
  links: Partial<Record<DeltaResource, string>>,
  fullAt: string | undefined,
) {
  const now = ctx.now().toISOString();
  for (const [resource, link] of Object.entries(links) as [DeltaResource, string][])
    await saveDeltaState(ctx.store, ctx.connection, resource, link, ctx.settings, fullAt, now);
}

/**
 * A full sync (or preview): read everything in scope, write what changed, and only after a complete,
 * successful read consider removals, which the deletion guard may hold back.
 */
async function runFull(ctx: RunContext): Promise<RunOutcome> {
  const { settings, reporter } = ctx;
  for (const m of undefinedAttributeMappings(settings.mapping, ctx.definedAttributes))
    reporter.note(
      `${m.source} is mapped to custom attribute "${m.target.slice(10)}", which is not defined; it was ignored. Define the attribute to sync it.`,
    );
  const type = reporter.task.taskType;
  const doUsers = settings.what !== "lists" && type !== "lists";
  const doLists = settings.what !== "users" && type !== "users";
  const complete = type === "full" || type === "incremental";
  // A full sync taken over keeps its first attempt's links, and skips the lists that attempt finished: the
  // links replay what changed in them since. Any other attempt (one that was incremental before) reads all.
  const takenOver = reporter.task.checkpoint?.deltaLinks !== undefined;
  const links = complete && !ctx.preview ? await taskDeltaLinks(ctx) : {};
  // Every named group is checked before anything is written: a missing one fails the run by name.
  await reporter.phase("checking scope");
  if (doUsers && settings.users.scope === "groups")
    await requireGroups(ctx.graph, settings.users.groupIds, "in the user scope");
  const listGroups = doLists ? await readScopedGroups(ctx.graph, settings) : undefined;
  // The lists' members are read while the users phase writes profiles, when Graph is otherwise idle. A task
  // taken over reads them as it writes, so it reads none of the lists it skips.
  const prefetch =
    listGroups && doUsers && !takenOver
      ? new MemberPrefetch(
          ctx.graph,
          listGroups.groups.map((g) => g.id),
          MEMBER_BATCH,
        )
      : undefined;
  const removals: Removal[] = [];
  let userPopulation = 0;
  let listPopulation = 0;
  try {
    let remaining: IdLookup | undefined;
    let held = new Set<string>();
    if (doUsers) {
      const users = await syncUsers(ctx, () => prefetch?.start());
      if (users.valid === 0 && users.skipped > 0) return allSkipped(users.skipped, users.skipSummary);
      removals.push(...users.removals);
      userPopulation = users.population;
      remaining = users.remaining;
      held = heldBackUsers(ctx, users.removals, userPopulation);
    }
    if (listGroups) {
      const universe = remaining ?? (await existingProfileIds(ctx));
      const lists = await syncLists(ctx, listGroups, universe, held, { skipFinished: takenOver, prefetch });
      removals.push(...lists.removals);
      listPopulation = lists.population;
    }
  } finally {
    await prefetch?.close();
  }
  const outcome = await applyRemovals(ctx, removals, userPopulation, listPopulation);
  if (outcome.status === "succeeded") await saveLinks(ctx, links, ctx.now().toISOString());
  return outcome;
}

/**
 * Taken before the task's first read and kept on the task, so changes made while it runs are replayed by the
 * next incremental run. A task taken over after a crash keeps the links of its first attempt: the lists it
 * had already written are not read again, and whatever changed in them since is replayed from those links.
 */
async function taskDeltaLinks(ctx: RunContext): Promise<Partial<Record<DeltaResource, string>>> {
  const kept = ctx.reporter.task.checkpoint?.deltaLinks;
  if (kept && typeof kept === "object" && Object.values(kept).every((l) => typeof l === "string"))
    return kept as Partial<Record<DeltaResource, string>>;
  const links = await latestDeltaLinks(ctx.graph, ctx.settings);
  ctx.reporter.task.checkpoint = { ...ctx.reporter.task.checkpoint, deltaLinks: links };
  await ctx.reporter.save(true);
  return links;
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
