import type { TaskView } from "../views.ts";
import type { AdaptiveCard } from "./card.ts";
import type { Links } from "./links.ts";
import { syncFailedCard } from "./sync-failed.ts";
import { syncFinishedCard } from "./sync-finished.ts";
import { syncHaltedCard } from "./sync-halted.ts";
import { taskProgressCard } from "./task-progress.ts";

/** The card for a task in whatever state it is in now: what a refresh or a decision answers with. */
export function taskCard(
  task: TaskView,
  links: Links,
  options: { note?: string; refreshUserIds?: string[] } = {},
): AdaptiveCard {
  switch (task.status) {
    case "succeeded":
      return syncFinishedCard(task, links, options.note);
    case "failed":
      return syncFailedCard(task, links, task.error, options.note);
    case "halted":
      return syncHaltedCard(task, links, options.note);
    default:
      return taskProgressCard(task, links, options);
  }
}
