import { type ActionData, type AdaptiveCard, type CardVerb, plain } from "../cards/card.ts";
import { noticeCard, problemCard, refusalText } from "../cards/notice.ts";
import { taskCard } from "../cards/task.ts";
import type { BotRecords } from "../ports.ts";
import type { CommandContext } from "./context.ts";
import { problemFrom } from "./errors.ts";
import { adminCheck, adminProblemCard, runText } from "./run.ts";

export interface ActionOutcome {
  card: AdaptiveCard;
  /** True when the decision changed the message for everyone, so the glue also updates it in place. */
  updateForEveryone: boolean;
}

const DECISIONS: Record<"confirm" | "cancel" | "retry", string> = {
  confirm: "confirm deletions",
  cancel: "cancel a sync",
  retry: "retry a sync",
};

/**
 * Answers an Action.Execute from a card (Universal Actions). Decisions need an admin; a refusal goes only to
 * the person who clicked and leaves the shared card as it was.
 */
export async function runCardAction(
  verb: string,
  data: ActionData,
  ctx: CommandContext,
  records: Pick<BotRecords, "tasks">,
): Promise<ActionOutcome> {
  const mine = (card: AdaptiveCard) => ({ card, updateForEveryone: false });
  if (verb === "run") return mine(await runText(data.command ?? "help", ctx));
  if (!isVerb(verb) || !data.taskId)
    return mine(
      noticeCard("That button is out of date", "I don't know this action any more.", {
        remedy: "Type **help** to see what I can do.",
      }),
    );
  const task = await records.tasks.get(ctx.tenantId, data.taskId);
  if (!task)
    return mine(
      noticeCard(
        "This sync is gone",
        `Task ${data.taskId} no longer exists (history is kept for a limited time).`,
        {
          remedy: "Type **status** for the current state.",
        },
      ),
    );
  if (verb === "refresh") return mine(taskCard(task, ctx.links));
  const check = await adminCheck(ctx);
  if (check.problem) return mine(adminProblemCard(check, DECISIONS[verb], ctx));
  if (!check.admin)
    return mine(taskCard(task, ctx.links, { note: refusalText(DECISIONS[verb], ctx.actor.name) }));
  try {
    if (verb === "retry") {
      const result = await ctx.sync.startTask(ctx.tenantId, task.connectionId, {
        type: task.taskType,
        trigger: "bot",
        requestedBy: ctx.actor,
      });
      if ("problem" in result) return mine(problemCard("The sync could not start", result.problem));
      const started = "task" in result ? result.task : result.alreadyRunning;
      return mine(
        taskCard(started, ctx.links, {
          note:
            "task" in result
              ? `Retried by ${plain(ctx.actor.name)}.`
              : `A sync is already running (task ${started.id}).`,
          refreshUserIds: [ctx.userId],
        }),
      );
    }
    const open = verb === "confirm" ? task.status === "halted" : OPEN.has(task.status);
    if (!open)
      return mine(
        taskCard(task, ctx.links, { note: "This was already decided; the card shows the current state." }),
      );
    const updated =
      verb === "confirm"
        ? await ctx.sync.confirmTask(ctx.tenantId, task.id, ctx.actor)
        : await ctx.sync.cancelTask(ctx.tenantId, task.id, ctx.actor);
    const note =
      verb === "confirm"
        ? `Deletions confirmed by ${plain(ctx.actor.name)}; the sync continues.`
        : `Cancelled by ${plain(ctx.actor.name)}. Nothing was deleted.`;
    return { card: taskCard(updated, ctx.links, { note }), updateForEveryone: true };
  } catch (err) {
    return mine(problemCard("That didn't work", problemFrom(err, ctx.logger, DECISIONS[verb])));
  }
}

const isVerb = (verb: string): verb is Exclude<CardVerb, "run"> =>
  verb === "retry" || verb === "confirm" || verb === "cancel" || verb === "refresh";

const OPEN = new Set(["queued", "running", "halted"]);
