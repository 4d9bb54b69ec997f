import { handleWhen, type IBackoff, type IBackoffFactory, type IRetryBackoffContext, retry } from "cockatiel";
import { type BackoffSettings, type Failure, RetryAfterBackoff } from "./backoff.ts";
import { retryAfterOf } from "./retry-after.ts";
import { type Sleep, sleep } from "./sleep.ts";

export interface RetrySettings extends BackoffSettings {
  /** Tries after the first one. */
  maxRetries: number;
  /** Give up rather than let the waits of one call add up past this. */
  maxTotalWaitMs: number;
  sleep: Sleep;
}

export interface RetryEvent {
  /** What failed and is about to be tried again. */
  failure: Failure;
  /** 1 for the first retry. */
  attempt: number;
  /** How long the policy waits before it. */
  delayMs: number;
}

/** What a caller retries, and what it wants to hear; everything else is the shared policy. */
export interface RetryRules<T> {
  /** Thrown errors worth another try (see classify.ts). */
  error?: (err: unknown) => boolean;
  /** Answers worth another try: a throttled response, a batch with parts still to send. */
  result?: (value: T) => boolean;
  /** The service's requested wait; by default read from the failure's Retry-After or retry-after-ms. */
  retryAfter?: (failure: Failure) => number | undefined;
  /** Before each wait: counting throttling, pausing other requests, releasing a response body. */
  onRetry?: (event: RetryEvent) => void;
}

const defaultRetrySettings = (): RetrySettings => ({
  maxRetries: 3,
  baseDelayMs: 100,
  exponent: 2,
  maxDelayMs: 10_000,
  maxTotalWaitMs: 30_000,
  sleep,
  random: Math.random,
});

/** Graph: six retries, waits as Graph asks up to a minute each, at most five minutes in all. */
export const graphRetrySettings = (): RetrySettings => ({
  ...defaultRetrySettings(),
  maxRetries: 6,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  maxTotalWaitMs: 300_000,
});

/** Cosmos: the SDK has already retried throttling itself; three more tries a few hundred ms apart. */
export const cosmosRetrySettings = (): RetrySettings => ({
  ...defaultRetrySettings(),
  maxRetries: 3,
  baseDelayMs: 100,
  exponent: 4,
  maxDelayMs: 10_000,
  maxTotalWaitMs: 30_000,
});

const readHint = (failure: Failure) => retryAfterOf("error" in failure ? failure.error : failure.value);

/**
 * The product's one retry loop (cockatiel's), configured per caller: which failures, how many tries, how
 * long each wait and all of them together. The waiting itself goes through `settings.sleep` rather than
 * cockatiel's own timer, which can be neither cancelled nor replaced: an aborted call stops waiting at once,
 * and tests and benchmarks move a simulated clock instead of real time.
 */
export class RetryPolicy<T = unknown> {
  constructor(
    readonly settings: RetrySettings,
    private readonly rules: RetryRules<T>,
  ) {}

  /**
   * Runs `call` until it succeeds, fails for good, or the caps are reached; then the last failure reaches
   * the caller as it was (thrown, or returned when it was an answer). `attempt` is 0 for the first try.
   */
  async execute<R extends T>(call: (attempt: number) => Promise<R>, signal?: AbortSignal): Promise<R> {
    const { settings, rules } = this;
    const overBudget = new AbortController();
    let last: Failure | undefined;
    let nextWaitMs = 0;
    let waitedMs = 0;
    const plan = (waitMs: number, context: IRetryBackoffContext<unknown>) => {
      last = context.result;
      nextWaitMs = waitMs;
      if (waitedMs + waitMs > settings.maxTotalWaitMs) overBudget.abort();
      else rules.onRetry?.({ failure: context.result, attempt: context.attempt, delayMs: waitMs });
    };
    const policy = retry(
      handleWhen((err) => rules.error?.(err) ?? false).orWhenResult(
        (value) => rules.result?.(value as T) ?? false,
      ),
      {
        maxAttempts: settings.maxRetries,
        backoff: new DeferredWait(new RetryAfterBackoff(settings, rules.retryAfter ?? readHint), plan),
      },
    );
    return policy.execute(
      async ({ attempt }) => {
        if (attempt > 0) {
          // Over the total budget: hand the last failure back; cockatiel sees the abort and gives up on it.
          if (overBudget.signal.aborted && last) return replay(last) as R;
          await settings.sleep(nextWaitMs, signal);
          waitedMs += nextWaitMs;
        }
        return call(attempt);
      },
      signal ? AbortSignal.any([signal, overBudget.signal]) : overBudget.signal,
    );
  }
}

type RetryContext = IRetryBackoffContext<unknown>;

/** Tells cockatiel to wait 0 ms and reports the real wait, which `execute` spends in `sleep` before the next try. */
class DeferredWait implements IBackoffFactory<RetryContext> {
  constructor(
    private readonly real: IBackoffFactory<RetryContext>,
    private readonly plan: (waitMs: number, context: RetryContext) => void,
  ) {}

  next(context: RetryContext): IBackoff<RetryContext> {
    return this.deferred(this.real.next(context), context);
  }

  private deferred(step: IBackoff<RetryContext>, context: RetryContext): IBackoff<RetryContext> {
    this.plan(step.duration, context);
    return { duration: 0, next: (later) => this.deferred(step.next(later), later) };
  }
}

function replay(failure: Failure): unknown {
  if ("error" in failure) throw failure.error;
  return failure.value;
}
