export type TaskType = "full" | "users" | "lists" | "incremental" | "preview";
export type TaskTrigger = "manual" | "schedule" | "bot" | "api" | "scim" | "notification";
export type TaskStatus = "queued" | "running" | "succeeded" | "failed" | "halted" | "cancelled";

/** What a task did, counted once for users and once for lists. */
export interface Counters {
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  deleted: number;
  restored: number;
  skipped: number;
  errors: number;
}
