/**
 * The values a task's type, trigger and status and a record's action take, with no zod in them: the task
 * schemas validate with these lists and the tab's history and details filters offer them.
 */
export const TASK_TYPES = ["full", "users", "lists", "incremental", "preview"] as const;
export const TASK_TRIGGERS = ["manual", "schedule", "bot", "api", "scim", "notification"] as const;
export const TASK_STATUSES = ["queued", "running", "succeeded", "failed", "halted", "cancelled"] as const;
export const RECORD_ACTIONS = [
  "created",
  "updated",
  "unchanged",
  "deactivated",
  "deleted",
  "restored",
  "skipped",
  "error",
  /** Held back by the deletion guard until an admin confirms. */
  "pending-delete",
  "pending-deactivate",
] as const;
export type TaskType = (typeof TASK_TYPES)[number];
export type TaskTrigger = (typeof TASK_TRIGGERS)[number];
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type RecordAction = (typeof RECORD_ACTIONS)[number];
