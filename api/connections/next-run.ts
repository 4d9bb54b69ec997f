import { SCHEDULER_PARTITION, slotId, slotRepository } from "../scheduler/slots.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

/**
 * When each connection's next scheduled sync is due, read from the scheduler's slots (what the scheduler
 * itself will act on), so the tab can say "in 12 minutes (10:42)" instead of "Every 60 minutes".
 */
export async function nextRuns(store: Store, connections: ConnectionDoc[]): Promise<Map<string, string>> {
  const ids = connections.map((c) => slotId(c.tenantId, c.id));
  const slots = await slotRepository(store).readMany(SCHEDULER_PARTITION, ids);
  const out = new Map<string, string>();
  for (const c of connections) {
    const due = slots.get(slotId(c.tenantId, c.id))?.dueAt;
    if (due && c.schedule.enabled && c.status !== "inactive") out.set(c.id, due);
  }
  return out;
}
