/**
 * Cosmos failures worth one more try: throttling the SDK gave up on, a service that is briefly unavailable,
 * and connections dropped under load (a keep-alive socket the server closed as it was reused answers
 * "socket hang up"). Only calls that are safe to repeat are retried: reads, query pages resumed from their
 * continuation, and bulk upserts, deletes and reads.
 */
const TRANSIENT_STATUS = new Set([408, 429, 449, 503]);
const TRANSIENT_NETWORK = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up/i;

export const isTransientStatus = (status: number) => TRANSIENT_STATUS.has(status);

export function isTransient(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "number" && TRANSIENT_STATUS.has(code)) return true;
  return TRANSIENT_NETWORK.test(`${String(code ?? "")} ${String(message ?? "")}`);
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultStoreRetry = (): RetryOptions => ({
  attempts: 4,
  baseDelayMs: 100,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

/** Runs `call`, repeating it after a growing pause (or the service's retry-after) while it fails transiently. */
export async function retryTransient<R>(call: () => Promise<R>, options: RetryOptions): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= options.attempts || !isTransient(err)) throw err;
      const hinted = Number((err as { retryAfterInMs?: unknown }).retryAfterInMs);
      await options.sleep(
        Number.isFinite(hinted) && hinted > 0 ? hinted : options.baseDelayMs * 4 ** (attempt - 1),
      );
    }
  }
}
