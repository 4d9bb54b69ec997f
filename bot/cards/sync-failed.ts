import type { ProblemView, TaskView } from "../views.ts";
import { type AdaptiveCard, adaptiveCard, type CardAction, execute, heading, openUrl, text } from "./card.ts";
import type { Links } from "./links.ts";
import { taskFacts } from "./task-header.ts";

/** A headline an admin understands at a glance, from the failure classes of api/graph/problems.ts. */
const CAUSES: Record<string, string> = {
  "auth-lost": "The connection needs to be reauthorized",
  "consent-missing": "Admin consent is missing",
  "permission-missing": "A Microsoft Graph permission is missing",
  "not-found": "Something in the sync scope no longer exists",
  throttled: "Microsoft Graph throttled the sync",
  transient: "Microsoft Graph was temporarily unavailable",
  "invalid-request": "Microsoft Graph rejected a request",
  "all-skipped": "Every record was skipped",
};

const causeHeadline = (problem: ProblemView | undefined) =>
  (problem && CAUSES[problem.code]) ?? "The sync failed";

const NEEDS_REAUTH = new Set(["auth-lost", "consent-missing"]);

export function syncFailedCard(
  task: TaskView,
  links: Links,
  problem: ProblemView | undefined = task.error,
  note?: string,
): AdaptiveCard {
  const actions: CardAction[] = [];
  if (problem && NEEDS_REAUTH.has(problem.code))
    actions.push(openUrl("Reauthorize", links.connection(task.connectionId)));
  actions.push(execute("Retry", "retry", { taskId: task.id, connectionId: task.connectionId }, "positive"));
  actions.push(openUrl("View details", links.task(task.id)));
  return adaptiveCard(
    [
      heading(`Sync failed: ${causeHeadline(problem)}`, "Attention"),
      text(problem?.message ?? "The sync stopped without a reason on record."),
      text(
        `**What to do:** ${problem?.remedy ?? "Open the details page and retry; if it fails again, check the connection."}`,
      ),
      text("Nothing was deleted: deletions only happen after a complete, successful read.", { subtle: true }),
      taskFacts(task),
      ...(note ? [text(note, { subtle: true })] : []),
    ],
    { actions },
  );
}
