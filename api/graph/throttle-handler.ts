import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import type { GraphStats } from "./stats.ts";

export interface RetryPolicy {
  maxRetries: number;
  /** Upper bound for one wait, whatever Retry-After says. */
  maxDelayMs: number;
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultRetryPolicy = (): RetryPolicy => ({
  maxRetries: 6,
  maxDelayMs: 60_000,
  baseDelayMs: 500,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

const RETRYABLE = new Set([429, 503, 504]);

/** Retry-After in seconds (Graph's form) or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with full jitter, used when the service gave no Retry-After. */
export const backoffMs = (attempt: number, policy: RetryPolicy) =>
  Math.min(policy.maxDelayMs, Math.random() * policy.baseDelayMs * 2 ** attempt);

/**
 * Retries 429/503/504 honouring Retry-After with a cap, counts every request and throttle, and slows the
 * whole client down when Graph reports (x-ms-throttle-limit-percentage) that the budget is nearly used,
 * so that a large sync bends before it breaks.
 */
export class ThrottleHandler implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly stats: GraphStats,
    private readonly pacer: Pacer,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error("ThrottleHandler needs a next middleware");
    for (let attempt = 0; ; attempt++) {
      await this.pacer.wait();
      this.stats.requests += 1;
      await this.next.execute(context);
      const response = context.response;
      if (!response) return;
      this.pacer.observe(response.headers.get("x-ms-throttle-limit-percentage"));
      if (!RETRYABLE.has(response.status) || attempt >= this.policy.maxRetries) return;
      if (response.status === 429) this.stats.throttled += 1;
      this.stats.retries += 1;
      const wait = Math.min(
        this.policy.maxDelayMs,
        retryAfterMs(response.headers.get("retry-after")) ?? backoffMs(attempt, this.policy),
      );
      if (response.status === 429) this.pacer.pauseFor(wait);
      await response.body?.cancel().catch(() => undefined);
      await this.policy.sleep(wait);
      context.response = undefined;
    }
  }
}

/** Shared across a client's concurrent requests: one 429 pauses everyone, a near-full budget slows all. */
export class Pacer {
  private pausedUntil = 0;
  private spacingMs = 0;

  constructor(private readonly sleep: (ms: number) => Promise<void>) {}

  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  observe(limitPercentage: string | null): void {
    const used = limitPercentage ? Number(limitPercentage) : Number.NaN;
    // Above 80% of the budget, space requests out more the closer we get to 100%.
    this.spacingMs = Number.isFinite(used) && used >= 80 ? Math.min(1000, (used - 79) * 25) : 0;
  }

  async wait(): Promise<void> {
    const pause = this.pausedUntil - Date.now();
    if (pause > 0) await this.sleep(pause);
    if (this.spacingMs > 0) await this.sleep(this.spacingMs);
  }
}
