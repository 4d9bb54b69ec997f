import type { PluginConfig } from "@azure/cosmos";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { tracer } from "../telemetry/instruments.ts";

/**
 * One client span per request the Cosmos SDK sends (retries included), inside the caller's span (a sync
 * task, an API request). It records the operation, the resource type, the container and the status code:
 * never the key, the authorization header, the query text or document contents.
 */
export const cosmosTelemetry: PluginConfig = {
  on: "request",
  plugin: (context, _diagnostics, next) => {
    const operation = String(context.operationType ?? "request");
    const resource = String(context.resourceType ?? "");
    return tracer().startActiveSpan(
      `cosmos ${operation} ${resource}`.trim(),
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "db.system": "cosmosdb",
          "db.operation.name": operation,
          "db.cosmosdb.resource_type": resource,
          ...(containerOf(context.path) ? { "db.collection.name": containerOf(context.path) } : {}),
        },
      },
      async (span) => {
        try {
          const response = await next(context);
          span.setAttribute("db.response.status_code", String(response.code ?? 200));
          return response;
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code !== undefined) span.setAttribute("db.response.status_code", String(code));
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  },
};

/** "/dbs/<db>/colls/<container>/docs/<id>" names the container; ids and the database stay out. */
function containerOf(path: string | undefined): string | undefined {
  const parts = (path ?? "").split("/").filter(Boolean);
  const at = parts.indexOf("colls");
  return at >= 0 ? parts[at + 1] : undefined;
}
