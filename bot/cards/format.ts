import type { Counters, TaskDoc, TaskStatus, TaskTrigger, TaskType } from "../../api/store/documents.ts";
import { type CardElement, plain, table } from "./card.ts";

const TYPE_LABELS: Record<TaskType, string> = {
  full: "Full sync (users and lists)",
  users: "Users only",
  lists: "Lists only",
  incremental: "Incremental (changes only)",
  preview: "Preview (nothing written)",
};

export const typeLabel = (type: TaskType) => TYPE_LABELS[type];

export function triggerLabel(task: Pick<TaskDoc, "trigger" | "requestedBy">): string {
  const who = task.requestedBy?.name ? plain(task.requestedBy.name) : "someone";
  const labels: Record<TaskTrigger, string> = {
    manual: `Started in the tab by ${who}`,
    schedule: "Schedule",
    bot: `Started from chat by ${who}`,
    api: `API call by ${who}`,
    scim: "Push from the Entra provisioning service",
    notification: "A change in Entra ID (Graph change notification)",
  };
  return labels[task.trigger];
}

const STATUS_LABELS: Record<TaskStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  halted: "Halted: waiting for an admin",
  cancelled: "Cancelled",
};

export const statusLabel = (status: TaskStatus) => STATUS_LABELS[status];

/** Dates as UTC text: cards are shared by people in different time zones and must read the same to all. */
export function when(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function duration(startIso: string | undefined, endIso: string | undefined): string | undefined {
  if (!startIso || !endIso) return undefined;
  const ms = new Date(endIso).getTime() - new Date(startIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Rows worth showing: the main ones always, the rest only when they happened. */
const ROWS: Array<{ key: keyof Counters; label: string; always?: boolean }> = [
  { key: "processed", label: "Read", always: true },
  { key: "created", label: "Created", always: true },
  { key: "updated", label: "Updated", always: true },
  { key: "unchanged", label: "Unchanged" },
  { key: "deactivated", label: "Deactivated" },
  { key: "deleted", label: "Deleted", always: true },
  { key: "restored", label: "Restored" },
  { key: "skipped", label: "Skipped" },
  { key: "errors", label: "Errors" },
];

export function countersTable(counters: TaskDoc["counters"]): CardElement {
  const rows = ROWS.filter(
    (row) => row.always || counters.users[row.key] > 0 || counters.lists[row.key] > 0,
  ).map((row) => [row.label, String(counters.users[row.key]), String(counters.lists[row.key])]);
  return table(["Records", "Users", "Lists"], rows, [2, 1, 1]);
}

/** Records created, updated, deactivated, deleted or restored, plus errors: what quiet mode calls "something". */
export function changeCount(counters: TaskDoc["counters"]): number {
  const of = (c: Counters) => c.created + c.updated + c.deactivated + c.deleted + c.restored + c.errors;
  return of(counters.users) + of(counters.lists);
}

export function changeSummary(counters: TaskDoc["counters"]): string {
  const parts: string[] = [];
  const add = (n: number, what: string) => {
    if (n > 0) parts.push(`${n} ${what}`);
  };
  const sum = (key: keyof Counters) => counters.users[key] + counters.lists[key];
  add(sum("created"), "created");
  add(sum("updated"), "updated");
  add(sum("deactivated"), "deactivated");
  add(sum("deleted"), "deleted");
  add(sum("restored"), "restored");
  add(sum("skipped"), "skipped");
  add(sum("errors"), sum("errors") === 1 ? "error" : "errors");
  return parts.length > 0 ? parts.join(", ") : "no changes";
}
