import type { TaskView } from "../views.ts";
import { type CardElement, facts, plain } from "./card.ts";
import { duration, statusLabel, triggerLabel, typeLabel, when } from "./format.ts";

/** The facts every task card starts with, so cards about the same run read alike. */
export function taskFacts(task: TaskView, extra: Array<[string, string | undefined]> = []): CardElement {
  return facts([
    ["Connection", plain(task.connectionName)],
    ["Type", typeLabel(task.taskType)],
    ["Trigger", triggerLabel(task)],
    ["Status", statusLabel(task.status)],
    ["Started", when(task.startedAt ?? task.createdAt)],
    ["Duration", duration(task.startedAt, task.finishedAt)],
    ...extra,
  ]);
}
