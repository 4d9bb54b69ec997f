import { SpanStatusCode } from "@opentelemetry/api";
import type { TaskDoc } from "../store/documents.ts";
import { instruments, tracer } from "../telemetry/instruments.ts";

/**
 * Runs one sync task inside its own trace: every Graph and Cosmos call the task makes becomes a child span.
 * The span carries the tenant, connection and task ids and the task's type and trigger; at the end, its
 * status and counters. The task's duration and the records it wrote are recorded as metrics.
 */
export function traceTask(
  task: TaskDoc,
  run: () => Promise<TaskDoc | undefined>,
  now: () => number = Date.now,
): Promise<TaskDoc | undefined> {
  const attributes = {
    "tenant.id": task.tenantId,
    "connection.id": task.connectionId,
    "task.id": task.id,
    "task.type": task.taskType,
    "task.trigger": task.trigger,
  };
  const started = now();
  // A new root: a task outlives the HTTP request or bot message that queued it.
  return tracer().startActiveSpan("sync task", { attributes, root: true }, async (span) => {
    try {
      const final = await run();
      if (!final) {
        span.setAttribute("task.status", "handed-back");
        return final;
      }
      const { users, lists } = final.counters;
      const written = (c: typeof users) => c.created + c.updated + c.deactivated + c.deleted + c.restored;
      span.setAttributes({
        "task.status": final.status,
        "task.users.written": written(users),
        "task.lists.written": written(lists),
        "task.graph_requests": final.graphRequests ?? 0,
        "task.store_operations": final.storeOperations ?? 0,
      });
      if (final.status === "failed")
        span.setStatus({ code: SpanStatusCode.ERROR, message: final.error?.code ?? "failed" });
      const measure = instruments();
      measure.syncDuration.record((now() - started) / 1000, {
        "task.type": final.taskType,
        "task.status": final.status,
      });
      measure.recordsWritten.add(written(users), { "record.kind": "profile" });
      measure.recordsWritten.add(written(lists), { "record.kind": "list" });
      return final;
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).name });
      throw err;
    } finally {
      span.end();
    }
  });
}
