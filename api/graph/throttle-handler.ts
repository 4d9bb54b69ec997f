import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { isTransientError, isTransientStatus } from "../retry/classify.ts";
import { type RetryEvent, RetryPolicy, type RetrySettings } from "../retry/policy.ts";
import type { Sleep } from "../retry/sleep.ts";
import type { GraphStats } from "./stats.ts";

/**
 * Retries Graph's transient answers (429/503/504) through the shared retry policy, Retry-After honoured with
 * a cap; counts every request, retry and throttle; and slows the whole client down when Graph reports
 * (x-ms-throttle-limit-percentage) that the budget is nearly used, so that a large sync bends before it breaks.
 * When the retries run out, the last answer goes on to the client, which turns it into a "throttled" problem.
 */
export class ThrottleHandler implements Middleware {
  private next?: Middleware;
  /** Reads (GET, and $batch, whose parts are all reads): every transient answer is tried again. */
  private readonly reads: RetryPolicy<Response | undefined>;
  /**
   * Writes (creating, renewing or deleting a subscription): only 429, which Graph answers before doing
   * anything. A 503 or 504 may come after the write took effect, and sending it again could, for instance,
   * create a second subscription that no one renews or deletes.
   */
  private readonly writes: RetryPolicy<Response | undefined>;

  constructor(
    settings: RetrySettings,
    private readonly stats: GraphStats,
    private readonly pacer: Pacer,
  ) {
    const onRetry = ({ failure, delayMs }: RetryEvent) => {
      const response = "value" in failure ? (failure.value as Response | undefined) : undefined;
      if (response?.status === 429) {
        this.stats.throttled += 1;
        this.pacer.pauseFor(delayMs);
      }
      this.stats.retries += 1;
      // The answer is dropped: free its connection rather than leave the body unread.
      response?.body?.cancel().catch(() => undefined);
    };
    this.reads = new RetryPolicy<Response | undefined>(settings, {
      error: (err) => isTransientError("graph", err),
      result: (response) => response !== undefined && isTransientStatus("graph", response.status),
      onRetry,
    });
    this.writes = new RetryPolicy<Response | undefined>(settings, {
      result: (response) => response?.status === 429,
      onRetry,
    });
  }

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error("ThrottleHandler needs a next middleware");
    const policy = isRead(context) ? this.reads : this.writes;
    context.response = await policy.execute(async () => {
      context.response = undefined;
      await this.pacer.wait();
      this.stats.requests += 1;
      await next.execute(context);
      // The next handler set it (TypeScript still sees the undefined assigned above).
      const response = context.response as Response | undefined;
      if (response) this.pacer.observe(response.headers.get("x-ms-throttle-limit-percentage"));
      return response;
    });
  }
}

function isRead(context: Context): boolean {
  const method = (context.options?.method ?? "GET").toUpperCase();
  const url = typeof context.request === "string" ? context.request : context.request.url;
  return method === "GET" || /\/\$batch(\?|$)/.test(url);
}

/** Shared across a client's concurrent requests: one 429 pauses everyone, a near-full budget slows all. */
export class Pacer {
  private pausedUntil = 0;
  private spacingMs = 0;

  constructor(private readonly sleep: Sleep) {}

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
