import { SimError } from "../errors.ts";
import { graphError } from "./errors.ts";
import type { GraphService } from "./service.ts";
import type { GraphRequest, GraphResponse } from "./types.ts";

interface BatchPart {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

const MAX_BATCH = 20;

/**
 * JSON batching: each part goes through the same dispatcher as a single request and keeps its own
 * status and headers (a throttled part carries its own Retry-After). Parts run in order, which also
 * satisfies any dependsOn.
 */
export async function runBatch(
  graph: GraphService,
  outer: GraphRequest,
  root: string,
  now: number,
): Promise<GraphResponse> {
  const parts = (outer.body as { requests?: BatchPart[] } | undefined)?.requests;
  const fail = (message: string) =>
    graphError(400, "BadRequest", message, now, outer.headers["client-request-id"]);
  if (!Array.isArray(parts) || parts.length === 0) return fail("Invalid batch payload format.");
  if (parts.length > MAX_BATCH)
    return fail(`The number of batch requests exceeds the maximum allowed number of ${MAX_BATCH}.`);
  const ids = new Set<string>();
  for (const p of parts) {
    if (!p.id || !p.method || !p.url) return fail("Invalid batch payload format.");
    if (ids.has(p.id))
      return fail(`Request Id '${p.id}' has already been used. Ids must be unique within a batch.`);
    ids.add(p.id);
  }
  const responses = [];
  for (const p of parts) {
    const headers: Record<string, string> = { authorization: outer.headers.authorization ?? "" };
    for (const [k, v] of Object.entries(p.headers ?? {})) headers[k.toLowerCase()] = v;
    const url = p.url.replace(/^https?:\/\/[^/]+\/v1\.0/i, "");
    let res: GraphResponse;
    try {
      res = await graph.handle({ method: p.method.toUpperCase(), url, headers, body: p.body }, root);
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      res = graphError(e.status, e.code, e.message, now);
    }
    const body = Buffer.isBuffer(res.body) ? res.body.toString("base64") : res.body;
    const { "request-id": _r, "client-request-id": _c, ...partHeaders } = res.headers;
    responses.push({ id: p.id, status: res.status, headers: partHeaders, body });
  }
  return { status: 200, headers: { "content-type": "application/json" }, body: { responses } };
}
