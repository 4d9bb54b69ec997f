/**
 * The change feed's event types, in the order the API reference lists them: the one list that the store's
 * documents, the Directory API's schema (api/contract/directory-v1.ts) and the tab's filters all use. No zod
 * here, so the tab can offer them without bundling the validator.
 */
export const DIRECTORY_EVENT_TYPES = [
  "profile.created",
  "profile.updated",
  "profile.deactivated",
  "profile.reactivated",
  "profile.deleted",
  "profile.restored",
  "profile.purged",
  "list.created",
  "list.updated",
  "list.deleted",
  "list.restored",
  "list.purged",
  "membership.added",
  "membership.removed",
  "connection.sync_finished",
  "connection.sync_halted",
  "connection.sync_failed",
  "connection.reauthorization_needed",
] as const;
export type DirectoryEventType = (typeof DIRECTORY_EVENT_TYPES)[number];
