import { SimError } from "../errors.ts";
import type { ListQuery } from "./query.ts";
import type { RouteContext } from "./types.ts";

const PREFIX = "RFNwdAIAAQAAA";

export function encodeToken(state: object): string {
  return PREFIX + Buffer.from(JSON.stringify(state)).toString("base64url");
}

export function decodeToken<T>(token: string): T {
  try {
    if (!token.startsWith(PREFIX)) throw new Error("prefix");
    return JSON.parse(Buffer.from(token.slice(PREFIX.length), "base64url").toString()) as T;
  } catch {
    throw new SimError(
      400,
      "Request_BadRequest",
      "The specified page token value has expired and can no longer be included in your request.",
    );
  }
}

/** The same request with one query parameter replaced, as an absolute link. */
function linkWith(ctx: RouteContext, name: string, value: string, drop: string[] = []): string {
  const params = new URLSearchParams(ctx.params);
  for (const d of drop) params.delete(d);
  params.set(name, value);
  // Keep `$` readable in links like Graph does.
  const query = params.toString().replaceAll("%24", "$").replaceAll("%2C", ",");
  return `${ctx.root}${ctx.path}?${query}`;
}

export function contextUrl(ctx: RouteContext, entitySet: string, select?: string[]): string {
  return `${ctx.root}/$metadata#${entitySet}${select ? `(${select.join(",")})` : ""}`;
}

/** One page of a collection: offset paging behind an opaque $skiptoken; the default page is 100 items. */
export function pageOf<T>(
  ctx: RouteContext,
  items: T[],
  q: ListQuery,
  toDoc: (item: T) => Record<string, unknown>,
  entitySet: string | null,
): Record<string, unknown> {
  const offset = q.skiptoken ? decodeToken<{ o: number }>(q.skiptoken).o : 0;
  const size = q.top ?? 100;
  const slice = items.slice(offset, offset + size);
  const body: Record<string, unknown> = {};
  if (entitySet) body["@odata.context"] = contextUrl(ctx, entitySet, q.select);
  if (q.count) body["@odata.count"] = items.length;
  if (offset + size < items.length)
    body["@odata.nextLink"] = linkWith(ctx, "$skiptoken", encodeToken({ o: offset + size }));
  body.value = slice.map(toDoc);
  return body;
}
