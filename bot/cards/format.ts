import type {
  CountersView,
  TaskCountersView,
  TaskStatus,
  TaskTrigger,
  TaskType,
  TaskView,
} from "../views.ts";
import { type CardElement, plain, table } from "./card.ts";

const TYPE_LABELS: Record<TaskType, string> = {
  full: "Full sync (users and lists)",
  users: "Users only",
  lists: "Lists only",
  incremental: "Incremental (changes only)",
  preview: "Preview (nothing written)",
};

export const typeLabel = (type: TaskType) => TYPE_LABELS[type];

export function triggerLabel(task: Pick<TaskView, "trigger" | "requestedBy">): string {
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
const ROWS: Array<{ key: keyof CountersView; label: string; always?: boolean }> = [
  { key: "created", label: "Created", always: true },
  { key: "updated", label: "Updated", always: true },
  { key: "unchanged", label: "Unchanged" },
  { key: "deactivated", label: "Deactivated" },
  { key: "deleted", label: "Deleted", always: true },
  { key: "restored", label: "Restored" },
  { key: "skipped", label: "Skipped" },
  { key: "errors", label: "Errors" },
];

/**
 * Records read from Entra ID. The task's `processed` also counts the records it deleted because Entra ID no
 * longer has them, which were never read.
 */
const readCount = (c: CountersView) => Math.max(0, c.processed - c.deleted);

export function countersTable(counters: TaskCountersView): CardElement {
  const rows = ROWS.filter(
    (row) => row.always || counters.users[row.key] > 0 || counters.lists[row.key] > 0,
  ).map((row) => [row.label, String(counters.users[row.key]), String(counters.lists[row.key])]);
  const read = ["Read from Entra ID", String(readCount(counters.users)), String(readCount(counters.lists))];
  return table(["Records", "Users", "Lists"], [read, ...rows], [2, 1, 1]);
}

/** Records created, updated, deactivated, deleted or restored, plus errors: what quiet mode calls "something". */
export function changeCount(counters: TaskCountersView): number {
  const of = (c: CountersView) => c.created + c.updated + c.deactivated + c.deleted + c.restored + c.errors;
  return of(counters.users) + of(counters.lists);
}

const CHANGES: Array<[keyof CountersView, string]> = [
  ["created", "created"],
  ["updated", "updated"],
  ["deactivated", "deactivated"],
  ["deleted", "deleted"],
  ["restored", "restored"],
];

const many = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;

/** "29 users and 11 lists": users and lists are different things and are never added up. */
function usersAndLists(counters: TaskCountersView, key: keyof CountersView): string | undefined {
  const parts = [
    counters.users[key] > 0 ? many(counters.users[key], "user") : undefined,
    counters.lists[key] > 0 ? many(counters.lists[key], "list") : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(" and ") : undefined;
}

/**
 * What a run changed ("29 users and 11 lists created, 2 users updated"), or "no changes". Skipped records are
 * not changes: a user without an email is skipped by every run, and would make every run look busy.
 */
export function changeSummary(counters: TaskCountersView): string {
  const parts = CHANGES.flatMap(([key, verb]) => {
    const who = usersAndLists(counters, key);
    return who ? [`${who} ${verb}`] : [];
  });
  const errors = counters.users.errors + counters.lists.errors;
  if (errors > 0) parts.push(many(errors, "error"));
  return parts.length > 0 ? parts.join(", ") : "no changes";
}

/** "11 users skipped", or undefined when nothing was skipped. */
export function skippedSummary(counters: TaskCountersView): string | undefined {
  const who = usersAndLists(counters, "skipped");
  return who ? `${who} skipped` : undefined;
}
