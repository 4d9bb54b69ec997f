import type { TaskView } from "../views.ts";
import { type AdaptiveCard, adaptiveCard, heading, openUrl, table, text } from "./card.ts";
import { changeSummary, statusLabel, typeLabel, when } from "./format.ts";
import type { Links } from "./links.ts";

export function historyCard(tasks: TaskView[], links: Links): AdaptiveCard {
  if (tasks.length === 0)
    return adaptiveCard([heading("No syncs yet"), text("Once a sync has run, its result shows up here.")], {
      actions: [openUrl("Open history", links.tasks())],
    });
  const rows = tasks.map((task) => [
    `[${when(task.startedAt ?? task.createdAt) ?? "not started"}](${links.task(task.id)})`,
    typeLabel(task.taskType),
    statusLabel(task.status),
    task.status === "failed" ? (task.error?.message ?? "failed") : changeSummary(task.counters),
  ]);
  return adaptiveCard(
    [
      heading(`Last ${tasks.length} sync${tasks.length === 1 ? "" : "s"}`),
      table(["When", "What", "Result", "Changes"], rows, [2, 2, 2, 3]),
    ],
    { actions: [openUrl("Open history", links.tasks())], fullWidth: true },
  );
}
