import type { TaskView } from "../views.ts";
import {
  type AdaptiveCard,
  adaptiveCard,
  bullets,
  type CardAction,
  execute,
  heading,
  openUrl,
  plain,
  refreshFor,
  text,
} from "./card.ts";
import type { Links } from "./links.ts";
import { taskFacts } from "./task-header.ts";

const SAMPLE_SIZE = 10;

/**
 * The deletion guard stopped a run. While the task is halted the card offers the decision; `refresh` makes
 * Teams ask the bot for the current state whenever the card is shown, so everyone sees the final outcome.
 */
export function syncHaltedCard(task: TaskView, links: Links, note?: string): AdaptiveCard {
  const halt = task.halt ?? { wouldDelete: 0, wouldDeactivate: 0, sample: [], threshold: "the threshold" };
  const parts = [
    halt.wouldDelete > 0 ? `delete ${halt.wouldDelete}` : undefined,
    halt.wouldDeactivate > 0 ? `deactivate ${halt.wouldDeactivate}` : undefined,
  ].filter(Boolean);
  const sample = halt.sample.slice(0, SAMPLE_SIZE).map(plain);
  const more = halt.wouldDelete + halt.wouldDeactivate - sample.length;
  const actions: CardAction[] = [];
  if (task.status === "halted") {
    actions.push(execute("Confirm deletions", "confirm", { taskId: task.id }, "destructive"));
    actions.push(execute("Cancel", "cancel", { taskId: task.id }));
  }
  actions.push(openUrl("View details", links.task(task.id)));
  return adaptiveCard(
    [
      heading("Sync halted by the deletion guard", "Warning"),
      text(
        `This run would ${parts.join(" and ") || "remove records"}, more than the guard allows (${plain(halt.threshold)}). Nothing has been deleted yet.`,
      ),
      ...(sample.length > 0
        ? [
            text("For example:", { weight: "Bolder" }),
            bullets(more > 0 ? [...sample, `and ${more} more`] : sample),
          ]
        : []),
      text(
        task.status === "halted"
          ? "An admin decides: confirm to apply the deletions, or cancel to keep everyone."
          : "The decision has been made; the status below is current.",
        { subtle: true },
      ),
      taskFacts(task),
      ...(note ? [text(note, { weight: "Bolder" })] : []),
    ],
    { actions, refresh: refreshFor({ taskId: task.id }) },
  );
}
