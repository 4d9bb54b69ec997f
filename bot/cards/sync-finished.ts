import type { TaskView } from "../views.ts";
import { type AdaptiveCard, adaptiveCard, heading, openUrl, text } from "./card.ts";
import { changeSummary, countersTable, skippedSummary } from "./format.ts";
import type { Links } from "./links.ts";
import { taskFacts } from "./task-header.ts";

export function syncFinishedCard(task: TaskView, links: Links, note?: string): AdaptiveCard {
  const preview = task.taskType === "preview";
  const skipped = skippedSummary(task.counters);
  const errors = task.counters.users.errors + task.counters.lists.errors;
  return adaptiveCard(
    [
      heading(preview ? "Preview finished" : "Sync finished", errors > 0 ? "Warning" : "Good"),
      text(
        preview
          ? `A sync now would make these changes: ${changeSummary(task.counters)}. Nothing was written.`
          : `${changeSummary(task.counters)}.`.replace(/^./, (c) => c.toUpperCase()),
      ),
      ...(skipped ? [text(`Also ${skipped}: the details page says why for each.`, { subtle: true })] : []),
      taskFacts(task),
      countersTable(task.counters),
      ...(errors > 0
        ? [text("Some records could not be written; the details page lists each one with the reason.")]
        : []),
      ...(note ? [text(note, { subtle: true })] : []),
    ],
    { actions: [openUrl("View details", links.task(task.id))], fullWidth: true },
  );
}
