import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { instruments, tracer } from "../telemetry/instruments.ts";

/**
 * One client span per HTTP request to Graph (each retry is its own span, inside the caller's span, e.g.
 * the sync task's). It records the method, the path without its query and the status: never headers (the
 * bearer token), query strings (filters can name people) or bodies. Throttled answers are counted.
 */
export class TelemetryHandler implements Middleware {
  private next?: Middleware;

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error("TelemetryHandler needs a next middleware");
    const next = this.next;
    const url = new URL(typeof context.request === "string" ? context.request : context.request.url);
    const method = (context.options?.method ?? "GET").toUpperCase();
    await tracer().startActiveSpan(
      `graph ${method} ${url.pathname}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "http.request.method": method,
          "server.address": url.hostname,
          "url.path": url.pathname,
        },
      },
      async (span) => {
        try {
          await next.execute(context);
          const status = context.response?.status;
          if (status !== undefined) {
            span.setAttribute("http.response.status_code", status);
            if (status === 429) instruments().graphThrottled.add(1);
            if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
          }
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).name });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }
}

/** Throttled sub-requests of a JSON batch, which arrive inside a 200 answer. */
export const countThrottledInBatch = (count: number) => {
  if (count > 0) instruments().graphThrottled.add(count, { "graph.batch": true });
};
