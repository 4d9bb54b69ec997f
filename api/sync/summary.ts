import type { Counters } from "../domain/tasks.ts";
import type { TaskDoc } from "../store/documents.ts";

const changed = (c: Counters) =>
  [
    c.created && `${c.created} created`,
    c.updated && `${c.updated} updated`,
    c.deactivated && `${c.deactivated} deactivated`,
    c.deleted && `${c.deleted} deleted`,
    c.restored && `${c.restored} restored`,
    c.skipped && `${c.skipped} skipped`,
    c.errors && `${c.errors} errors`,
  ]
    .filter(Boolean)
    .join(", ") || "no changes";

/** One line a person can read in a notification or a log. */
export function summarize(task: TaskDoc): string {
  const what = task.taskType === "preview" ? "Preview" : "Sync";
  if (task.status === "failed")
    return `${what} of ${task.connectionName} failed: ${task.error?.message ?? "unknown error"}`;
  if (task.status === "halted")
    return `${what} of ${task.connectionName} halted: it would remove ${(task.halt?.wouldDelete ?? 0) + (task.halt?.wouldDeactivate ?? 0)} records (${task.halt?.threshold})`;
  return `${what} of ${task.connectionName} ${task.status}: users ${changed(task.counters.users)}; lists ${changed(task.counters.lists)}`;
}
