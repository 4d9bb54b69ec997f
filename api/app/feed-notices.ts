import type { DirectoryEventType } from "../domain/event-types.ts";
import type { EventListener } from "../events.ts";
import type { ChangeFeed } from "../feed/change-feed.ts";
import type { EventKind } from "../store/documents.ts";

const FEED_TYPES: Partial<Record<EventKind, DirectoryEventType>> = {
  "sync-finished": "connection.sync_finished",
  "sync-halted": "connection.sync_halted",
  "sync-failed": "connection.sync_failed",
  "needs-reauth": "connection.reauthorization_needed",
};

/**
 * Connection notices (a sync finished, halted or failed; reauthorization needed) also go to the change feed,
 * so an application learns that a sync it waits for is done, or that the directory stopped following Entra.
 */
export function connectionNoticesToFeed(feed: ChangeFeed): EventListener {
  return async (notice) => {
    const eventType = FEED_TYPES[notice.kind];
    if (!eventType || !notice.connectionId) return;
    await feed.append(notice.tenantId, notice.taskId ? { taskId: notice.taskId } : {}, [
      {
        eventType,
        object: { kind: "connection", id: notice.connectionId },
        connectionId: notice.connectionId,
        data: {
          object: "connection",
          id: notice.connectionId,
          taskId: notice.taskId ?? null,
          status: notice.kind,
          summary: notice.summary,
        },
      },
    ]);
  };
}
