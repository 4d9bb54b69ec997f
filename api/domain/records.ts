/** A synced profile's or list's state; `deleted` is soft until the retention window purges it. */
export type RecordStatus = "active" | "inactive" | "deleted";

export type FieldValue = string | number | boolean | string[] | null;

/**
 * What a sync did with one record, as kept per task for the details page, the CSV and "why". The one list
 * of them: the store's task records, the API's record filter and the tab's filter menu all read it.
 */
export const RECORD_ACTIONS = [
  "created",
  "updated",
  "unchanged",
  "deactivated",
  "deleted",
  "restored",
  "skipped",
  "error",
  // Held back by the deletion guard until an admin confirms.
  "pending-delete",
  "pending-deactivate",
] as const;

export type RecordAction = (typeof RECORD_ACTIONS)[number];
