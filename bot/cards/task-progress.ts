import type { TaskView } from "../views.ts";
import {
  type AdaptiveCard,
  adaptiveCard,
  type CardAction,
  execute,
  heading,
  openUrl,
  refreshFor,
  text,
} from "./card.ts";
import type { Links } from "./links.ts";
import { taskFacts } from "./task-header.ts";

/**
 * A run that has not finished (queued, running) or was cancelled. Unfinished runs carry `refresh`, so the card
 * a user got after "sync now" turns into the result when they look at it again.
 */
export function taskProgressCard(
  task: TaskView,
  links: Links,
  options: { note?: string; refreshUserIds?: string[] } = {},
): AdaptiveCard {
  const open = task.status === "queued" || task.status === "running";
  const title =
    task.status === "cancelled"
      ? "Sync cancelled"
      : task.status === "queued"
        ? task.confirmedBy
          ? "Deletions confirmed"
          : "Sync queued"
        : "Sync running";
  // A confirmed halt is queued again with the phase it halted in: say what happens next, not "halted".
  const progress =
    task.status === "queued"
      ? task.confirmedBy
        ? "The removals are confirmed: the sync starts again and applies them."
        : "Waiting to start."
      : task.progress.total
        ? `${task.progress.phase}: ${task.progress.processed} of ${task.progress.total}`
        : `${task.progress.phase}: ${task.progress.processed} read so far`;
  const actions: CardAction[] = [];
  if (open) actions.push(execute("Cancel", "cancel", { taskId: task.id }));
  actions.push(openUrl("View details", links.task(task.id)));
  return adaptiveCard(
    [
      heading(title, task.status === "cancelled" ? "Default" : "Accent"),
      ...(open
        ? [text(progress), text("This card shows the result once the run is over.", { subtle: true })]
        : []),
      ...(task.status === "cancelled" ? [text("Nothing more will be changed by this run.")] : []),
      taskFacts(task),
      ...(options.note ? [text(options.note, { weight: "Bolder" })] : []),
    ],
    { actions, ...(open ? { refresh: refreshFor({ taskId: task.id }, options.refreshUserIds) } : {}) },
  );
}
