/**
 * The values a task's type, trigger and status take, with no zod in them: the task schemas validate with
 * these lists and the tab's history filters offer them. A record's actions are the domain's
 * (api/domain/records.ts).
 */
export const TASK_TYPES = ["full", "users", "lists", "incremental", "preview"] as const;
export const TASK_TRIGGERS = ["manual", "schedule", "bot", "api", "scim", "notification"] as const;
export const TASK_STATUSES = ["queued", "running", "succeeded", "failed", "halted", "cancelled"] as const;
export type TaskType = (typeof TASK_TYPES)[number];
export type TaskTrigger = (typeof TASK_TRIGGERS)[number];
export type TaskStatus = (typeof TASK_STATUSES)[number];
