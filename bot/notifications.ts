import { type AdaptiveCard, adaptiveCard, heading, text } from "./cards/card.ts";
import { changeCount } from "./cards/format.ts";
import type { Links } from "./cards/links.ts";
import { adminWarningCard, reauthCard } from "./cards/reauth.ts";
import { syncFailedCard } from "./cards/sync-failed.ts";
import { syncFinishedCard } from "./cards/sync-finished.ts";
import { syncHaltedCard } from "./cards/sync-halted.ts";
import type { AlertEvent, ConnectionView, TaskView } from "./views.ts";

export interface EventFacts {
  event: AlertEvent;
  task?: TaskView;
  connection?: ConnectionView;
}

export type NotificationPlan = { post: AdaptiveCard; summary: string } | { skip: string };

/** Which events the bot posts; "delivery-failed" is about the bot itself and never posted. */
const POSTED_KINDS = new Set([
  "sync-finished",
  "sync-failed",
  "sync-halted",
  "needs-reauth",
  "admin-warning",
  "webhook-disabled",
]);

/** Decides whether and what to post for an event. Plain logic over the domain, so it is tested without a chat. */
export function planNotification({ event, task, connection }: EventFacts, links: Links): NotificationPlan {
  if (!POSTED_KINDS.has(event.kind)) return { skip: `${event.kind} events are not posted` };
  const summary = event.summary;
  const fallback = () => ({
    post: adaptiveCard([
      heading(event.summary),
      ...(event.problem
        ? [text(event.problem.message), text(`**What to do:** ${event.problem.remedy}`)]
        : []),
    ]),
    summary,
  });
  switch (event.kind) {
    case "sync-finished":
      if (!task) return fallback();
      // Quiet mode: a run that changed nothing and had no errors is not worth a message.
      if (connection?.schedule.quiet && changeCount(task.counters) === 0)
        return { skip: "quiet mode is on and the sync changed nothing" };
      return { post: syncFinishedCard(task, links), summary };
    case "sync-failed":
      return task ? { post: syncFailedCard(task, links, event.problem ?? task.error), summary } : fallback();
    case "sync-halted":
      return task ? { post: syncHaltedCard(task, links), summary } : fallback();
    case "needs-reauth":
      return connection ? { post: reauthCard(connection, links, event.problem), summary } : fallback();
    default:
      return connection ? { post: adminWarningCard(connection, links, event.problem), summary } : fallback();
  }
}
