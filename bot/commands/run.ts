import type { AdaptiveCard } from "../cards/card.ts";
import { openUrl } from "../cards/card.ts";
import { helpCard } from "../cards/help.ts";
import { historyCard } from "../cards/history.ts";
import { noticeCard, problemCard, refusalCard, refusalText, unknownCommandCard } from "../cards/notice.ts";
import { statusCard } from "../cards/status.ts";
import { taskCard } from "../cards/task.ts";
import { channelSetCard } from "../cards/welcome.ts";
import { whyCard } from "../cards/why.ts";
import type { ProblemView, TaskType } from "../views.ts";
import { COMMANDS, type CommandName, specOf } from "./catalog.ts";
import type { CommandContext } from "./context.ts";
import { problemFrom } from "./errors.ts";
import { type ParsedCommand, parseCommand } from "./parse.ts";

const START_TYPES: Partial<Record<CommandName, TaskType>> = {
  "sync now": "full",
  "sync users": "users",
  "sync lists": "lists",
  preview: "preview",
};

const ADMIN_VERBS: Partial<Record<CommandName, string>> = {
  "sync now": "start a sync",
  "sync users": "start a sync",
  "sync lists": "start a sync",
  preview: "run a preview",
  pause: "pause the schedule",
  resume: "resume the schedule",
  "set channel": "choose the alert channel",
};

/** Why admin rights are not known: a problem for the chat user, and the connection it is about, if any. */
export interface AdminCheck {
  admin: boolean;
  problem?: ProblemView;
  connectionId?: string;
}

/**
 * Admin rights come from the service (directory or app roles), asked only when a command needs them. When
 * they cannot be checked, the answer says why instead of treating an admin as a non-admin.
 */
export async function adminCheck(ctx: CommandContext): Promise<AdminCheck> {
  if (!ctx.actor.oid) return { admin: false };
  try {
    return { admin: await ctx.sync.isAdmin(ctx.tenantId, ctx.actor.oid) };
  } catch (err) {
    const connectionId = (err as { connectionId?: unknown } | null)?.connectionId;
    return {
      admin: false,
      problem: problemFrom(err, ctx.logger, "check admin rights"),
      ...(typeof connectionId === "string" ? { connectionId } : {}),
    };
  }
}

/** The answer when admin rights are unknown: nothing to sync yet, reauthorize first, or cannot check. */
export function adminProblemCard(check: AdminCheck, what: string, ctx: CommandContext): AdaptiveCard {
  const problem = check.problem as ProblemView;
  switch (problem.code) {
    case "no-connection":
      return noticeCard("No connection yet", problem.message, {
        remedy: problem.remedy,
        actions: [openUrl("Open Directory Sync", ctx.links.home())],
      });
    case "needs-reauth":
      return noticeCard("Reauthorize first", problem.message, {
        remedy: problem.remedy,
        tone: "Attention",
        ...(check.connectionId
          ? { actions: [openUrl("Reauthorize", ctx.links.connection(check.connectionId))] }
          : {}),
      });
    case "app-roles-unreadable":
      return noticeCard(
        "Only admins can do that",
        `${refusalText(what, ctx.actor.name)} ${problem.message}`,
        {
          remedy: problem.remedy,
          tone: "Warning",
        },
      );
    default:
      return problemCard("Admin rights could not be checked", problem);
  }
}

export async function runText(text: string, ctx: CommandContext): Promise<AdaptiveCard> {
  return runParsed(parseCommand(text), ctx);
}

async function runParsed(parsed: ParsedCommand, ctx: CommandContext): Promise<AdaptiveCard> {
  switch (parsed.kind) {
    case "empty":
      return helpCard(COMMANDS);
    case "unknown":
      return unknownCommandCard(parsed.input, parsed.suggestions);
    case "invalid":
      return noticeCard(`How to use "${specOf(parsed.name).usage}"`, parsed.message, { tone: "Warning" });
  }
  const name = parsed.name;
  if (specOf(name).adminOnly) {
    const check = await adminCheck(ctx);
    if (check.problem) return adminProblemCard(check, ADMIN_VERBS[name] ?? "do that", ctx);
    if (!check.admin) return refusalCard(ADMIN_VERBS[name] ?? "do that", ctx.actor.name);
  }
  try {
    switch (parsed.name) {
      case "help":
        return helpCard(COMMANDS);
      case "status":
        return statusCard(await ctx.sync.status(ctx.tenantId), ctx.links);
      case "history":
        return historyCard(await ctx.sync.history(ctx.tenantId, parsed.count), ctx.links);
      case "why":
        return whyCard(parsed.who, await ctx.sync.why(ctx.tenantId, parsed.who));
      case "pause":
      case "resume": {
        const paused = parsed.name === "pause";
        await ctx.sync.setSchedulePaused(ctx.tenantId, paused, ctx.actor);
        return paused
          ? noticeCard(
              "Scheduled syncs paused",
              "No sync will start on its own until an admin says **resume**.",
              {
                remedy: "You can still run one now with **sync now**.",
              },
            )
          : noticeCard("Scheduled syncs resumed", "Syncs run on the schedule set in the tab again.", {
              tone: "Good",
            });
      }
      case "set channel": {
        if (ctx.scope !== "channel")
          return noticeCard(
            "Say that in a channel",
            "Alerts go to a team channel. Mention me in the channel you want and say **set channel** there.",
          );
        const { channelName } = await ctx.setAlertChannel();
        return channelSetCard(channelName);
      }
      default:
        return await startSync(parsed.name, ctx);
    }
  } catch (err) {
    return problemCard("That didn't work", problemFrom(err, ctx.logger, specOf(name).usage));
  }
}

async function startSync(name: CommandName, ctx: CommandContext): Promise<AdaptiveCard> {
  const type = START_TYPES[name] ?? "full";
  const result = await ctx.sync.startTask(ctx.tenantId, undefined, {
    type,
    trigger: "bot",
    requestedBy: ctx.actor,
  });
  if ("problem" in result) return problemCard("The sync could not start", result.problem);
  if ("alreadyRunning" in result)
    return taskCard(result.alreadyRunning, ctx.links, {
      note: `A sync is already running for this connection (task ${result.alreadyRunning.id}); only one runs at a time. This card shows its result when it ends.`,
      refreshUserIds: [ctx.userId],
    });
  return taskCard(result.task, ctx.links, { refreshUserIds: [ctx.userId] });
}
