import { SYSTEM_ACTOR } from "../domain/actor.ts";
import type { SyncService } from "../sync/service.ts";
import type { StartScheduledTask } from "./scheduler.ts";

/** Lets the scheduler start runs through the sync service, which enforces one run per connection. */
export function scheduledStartsVia(sync: Pick<SyncService, "startTask">): StartScheduledTask {
  return async (tenantId, connectionId, options) => {
    const result = await sync.startTask(tenantId, connectionId, { ...options, requestedBy: SYSTEM_ACTOR });
    return "task" in result
      ? { status: "started", taskId: result.task.id }
      : { status: "already-running", taskId: result.alreadyRunning.id };
  };
}
