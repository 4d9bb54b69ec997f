import {
  ExponentialBackoff,
  type FailureReason,
  type GeneratorFn,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from "cockatiel";

export interface BackoffSettings {
  /** Ceiling of the first wait when the service gave no hint. */
  baseDelayMs: number;
  /** How much the ceiling grows with each retry. */
  exponent: number;
  /** Upper bound for one wait, whatever the service asks. */
  maxDelayMs: number;
  random: () => number;
}

/** What failed: a thrown error (`{ error }`), or an answer the caller counts as a failure (`{ value }`). */
export type Failure = FailureReason<unknown>;

/**
 * Exponential ceiling with jitter in its upper half: concurrent callers spread out instead of coming back
 * together, and none comes back at once (a dropped connection or a busy server needs a moment).
 */
const upperHalfJitter =
  (random: () => number): GeneratorFn<number> =>
  (retry = 0, options) => {
    const ceiling = Math.min(options.maxDelay, options.initialDelay * options.exponent ** retry);
    return [ceiling / 2 + (random() * ceiling) / 2, retry + 1];
  };

/**
 * Waits what the service asked (Retry-After, Cosmos's retry-after-ms) when it said, else backs off
 * exponentially with jitter; never longer than `maxDelayMs`. A hint is honoured as given, without jitter:
 * coming back earlier would only be throttled again.
 */
export class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  private readonly exponential: ExponentialBackoff<number>;

  constructor(
    private readonly settings: BackoffSettings,
    private readonly hintOf: (failure: Failure) => number | undefined,
  ) {
    this.exponential = new ExponentialBackoff({
      initialDelay: settings.baseDelayMs,
      exponent: settings.exponent,
      maxDelay: settings.maxDelayMs,
      generator: upperHalfJitter(settings.random),
    });
  }

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    return this.step(this.exponential.next(), context);
  }

  private step(
    exponential: IBackoff<unknown>,
    context: IRetryBackoffContext<unknown>,
  ): IBackoff<IRetryBackoffContext<unknown>> {
    const hint = this.hintOf(context.result);
    return {
      duration: Math.min(this.settings.maxDelayMs, hint ?? exponential.duration),
      // The exponential part moves on at every retry, hinted or not, as the retry count does.
      next: (later) => this.step(exponential.next(undefined), later),
    };
  }
}
