import type { GraphStats } from "../graph/stats.ts";
import type { TaskDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

const CHECK_EVERY_MS = 500;

/**
 * While Graph throttles a run, the run waits (Retry-After) and its progress stands still; without a word a
 * person watching sees "Starting · 0 processed" for many seconds. This puts the throttling on the task as it
 * happens, so the tab and the bot can say why nothing moves. Returns what stops the watch.
 */
export function watchThrottling(
  store: Store,
  task: Pick<TaskDoc, "tenantId" | "id">,
  stats: GraphStats,
  now: () => Date,
): () => void {
  let seen = stats.throttled;
  const timer = setInterval(() => {
    if (stats.throttled === seen) return;
    seen = stats.throttled;
    const count = seen;
    store.tasks
      .update(task.tenantId, task.id, (t) =>
        t.status === "running" ? { ...t, throttle: { count, lastAt: now().toISOString() } } : undefined,
      )
      .catch(() => undefined); // Telling is best effort; the run itself goes on.
  }, CHECK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export const throttledNote = (count: number) =>
  `Microsoft Graph throttled this sync ${count} ${count === 1 ? "time" : "times"} (429 Too Many Requests); it waited each time as Graph asked and went on.`;
