/**
 * The change feed's event types, in the order the API reference lists them, with no zod in them so the
 * tab can offer them without bundling the validator. api/feed/public-shapes.ts validates with the same
 * list (a test holds the two together).
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
