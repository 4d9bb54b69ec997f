import type { ConnectionView } from "../views.ts";

/**
 * What the schedule does now. A connection waiting for reauthorization keeps its schedule, but the scheduler
 * skips its runs (they could only fail) until an admin signs in again; both cards say the same.
 */
export function scheduleText(c: ConnectionView): string {
  if (c.status === "inactive") return "Off: the connection is switched off";
  if (!c.schedule.enabled) return "Paused";
  const every = `Every ${c.schedule.intervalMinutes === 1 ? "minute" : `${c.schedule.intervalMinutes} min`}`;
  if (c.status === "needs-reauth") return `${every}, skipped until the connection is reauthorized`;
  return `${every}${c.schedule.quiet ? ", quiet (posts only changes and problems)" : ""}`;
}
