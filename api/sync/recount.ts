import type { RecordAction } from "../domain/records.ts";
import type { Counters } from "../domain/tasks.ts";
import type { TaskDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { emptyCounters } from "./task-reporter.ts";

const COUNTED: [RecordAction, keyof Counters][] = [
  ["created", "created"],
  ["updated", "updated"],
  ["deactivated", "deactivated"],
  ["deleted", "deleted"],
  ["restored", "restored"],
  ["skipped", "skipped"],
  ["error", "errors"],
];

/**
 * After a resumed or confirmed run the task's records are the truth (their ids are deterministic, so a
 * record is never counted twice); only "unchanged", which is not recorded, comes from the last pass.
 */
export async function recountFromRecords(
  store: Store,
  task: TaskDoc,
  lastPass: TaskDoc["counters"],
): Promise<TaskDoc["counters"]> {
  const result = { users: emptyCounters(), lists: emptyCounters() };
  for (const kind of ["user", "list"] as const) {
    const target = result[kind === "user" ? "users" : "lists"];
    for (const [action, key] of COUNTED) {
      target[key] = await store.taskRecords.count(task.tenantId, {
        where: "c.taskId = @t AND c.kind = @k AND c.action = @a",
        parameters: [
          { name: "@t", value: task.id },
          { name: "@k", value: kind },
          { name: "@a", value: action },
        ],
      });
    }
    target.unchanged = lastPass[kind === "user" ? "users" : "lists"].unchanged;
    target.processed = COUNTED.reduce((n, [, key]) => n + target[key], target.unchanged);
  }
  return result;
}
