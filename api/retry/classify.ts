/**
 * Which failures are worth another try, for every service the product calls, in one table. A status not
 * listed here is a real answer (a refusal, a conflict, a missing document) and reaches the caller at once.
 */
export type RetriedService = "graph" | "cosmos";

interface TransientRule {
  statuses: ReadonlySet<number>;
  /**
   * Whether a connection dropped before any answer is tried again. Only where every call going through the
   * policy is safe to repeat: Graph's client also sends writes (subscriptions) that may have taken effect.
   */
  droppedConnections: boolean;
}

const TRANSIENT: Record<RetriedService, TransientRule> = {
  // Graph's documented retryable answers: throttled, unavailable, gateway timeout.
  graph: { statuses: new Set([429, 503, 504]), droppedConnections: false },
  // Cosmos: request timeout, throughput used up (after the SDK's own retries), retry-with (a concurrent
  // write on the server) and unavailable. 410 Gone with a substatus (a partition moved) is the SDK's own
  // business: it refreshes its routing and retries before anything reaches this table.
  cosmos: { statuses: new Set([408, 429, 449, 503]), droppedConnections: true },
};

/** A keep-alive socket the server closed as it was reused answers "socket hang up". */
const DROPPED_CONNECTION = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up/i;

export const isTransientStatus = (service: RetriedService, status: number): boolean =>
  TRANSIENT[service].statuses.has(status);

/** A thrown failure: Cosmos errors carry the HTTP status as `code`, Graph's as `statusCode`. */
export function isTransientError(service: RetriedService, err: unknown): boolean {
  const { code, statusCode, message } = (err ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  const status = typeof code === "number" ? code : typeof statusCode === "number" ? statusCode : undefined;
  if (status !== undefined && isTransientStatus(service, status)) return true;
  return (
    TRANSIENT[service].droppedConnections &&
    DROPPED_CONNECTION.test(`${String(code ?? "")} ${String(message ?? "")}`)
  );
}
