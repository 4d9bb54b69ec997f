/** Headers as fetch gives them (`Headers`) or as JSON carries them (a plain object, any letter case). */
type HeaderBag = { get(name: string): string | null } | Record<string, unknown>;

function headerValue(headers: HeaderBag | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof headers.get === "function")
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
  return found === undefined || found === null ? undefined : String(found);
}

/** Retry-After in seconds (Graph's form) or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long the service asked the caller to wait, in milliseconds, read from whatever failed: a Cosmos error
 * (`retryAfterInMs`, or its `x-ms-retry-after-ms` header), or anything with a `Retry-After` header (a fetch
 * Response, a JSON batch part). Cosmos reports 0 when it has no opinion, which is no hint at all.
 */
export function retryAfterOf(failure: unknown, now: number = Date.now()): number | undefined {
  if (!failure || typeof failure !== "object") return undefined;
  const { retryAfterInMs, headers } = failure as { retryAfterInMs?: unknown; headers?: HeaderBag };
  const cosmos = Number(retryAfterInMs ?? headerValue(headers, "x-ms-retry-after-ms"));
  if (Number.isFinite(cosmos) && cosmos > 0) return cosmos;
  return parseRetryAfter(headerValue(headers, "retry-after"), now);
}
