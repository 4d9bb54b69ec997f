import { describe, expect, it } from "vitest";
import { isTransientError, isTransientStatus } from "../../api/retry/classify.ts";
import {
  cosmosRetrySettings,
  graphRetrySettings,
  type RetryEvent,
  RetryPolicy,
  type RetrySettings,
} from "../../api/retry/policy.ts";
import { parseRetryAfter, retryAfterOf } from "../../api/retry/retry-after.ts";

/** A sleep that only writes down what it was asked to wait. */
function recording(base: RetrySettings, overrides: Partial<RetrySettings> = {}) {
  const slept: number[] = [];
  const settings: RetrySettings = {
    ...base,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...overrides,
  };
  return { settings, slept };
}

const cosmosRules = { error: (err: unknown) => isTransientError("cosmos", err) };
const throttled = (retryAfterInMs?: number) =>
  Object.assign(new Error("Request rate is large"), { code: 429, retryAfterInMs });

/** Fails with `failures` in turn, then answers "done"; counts its calls. */
function flaky(...failures: unknown[]) {
  const calls = { count: 0 };
  const call = async () => {
    const failure = failures[calls.count++];
    if (failure) throw failure;
    return "done";
  };
  return { call, calls };
}

describe("reading how long the service asked to wait", () => {
  const now = Date.UTC(2026, 0, 5, 12);

  it("takes Retry-After in seconds or as an HTTP date, and ignores what it cannot read", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 7000).toUTCString(), now)).toBe(7000);
    expect(parseRetryAfter(new Date(now - 7000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("reads Cosmos's retry-after-ms, from the error or its header, before any Retry-After", () => {
    expect(retryAfterOf(throttled(750), now)).toBe(750);
    expect(retryAfterOf({ code: 429, headers: { "x-ms-retry-after-ms": "120" } }, now)).toBe(120);
    // Cosmos says 0 when it has no opinion: that is no hint, not "come back at once".
    expect(retryAfterOf(throttled(0), now)).toBeUndefined();
    expect(retryAfterOf({ status: 429, headers: new Headers({ "Retry-After": "2" }) }, now)).toBe(2000);
    expect(retryAfterOf({ status: 429, headers: { "Retry-After": "5" } }, now)).toBe(5000);
    expect(retryAfterOf(new Error("socket hang up"), now)).toBeUndefined();
  });
});

describe("which failures are transient", () => {
  it.each([
    ["graph", 429, true],
    ["graph", 503, true],
    ["graph", 504, true],
    ["graph", 408, false],
    ["graph", 500, false],
    ["graph", 410, false],
    ["cosmos", 408, true],
    ["cosmos", 429, true],
    ["cosmos", 449, true],
    ["cosmos", 503, true],
    ["cosmos", 504, false],
    ["cosmos", 404, false],
    ["cosmos", 409, false],
    ["cosmos", 410, false],
    ["cosmos", 412, false],
  ] as const)("%s answering %i: %s", (service, status, transient) => {
    expect(isTransientStatus(service, status)).toBe(transient);
    expect(isTransientError(service, { code: status })).toBe(transient);
    expect(isTransientError(service, { statusCode: status })).toBe(transient);
  });

  it("retries dropped connections to Cosmos, never to Graph, which also carries writes", () => {
    const dropped = [
      new Error("Bulk request errored with: socket hang up"),
      { code: "ECONNRESET", message: "read ECONNRESET" },
      { code: "ETIMEDOUT", message: "connect ETIMEDOUT" },
      { code: "EPIPE", message: "write EPIPE" },
    ];
    for (const err of dropped) {
      expect(isTransientError("cosmos", err)).toBe(true);
      expect(isTransientError("graph", err)).toBe(false);
    }
    expect(isTransientError("cosmos", new Error("Entity with the specified id does not exist"))).toBe(false);
    expect(isTransientError("cosmos", undefined)).toBe(false);
  });
});

describe("the retry policy", () => {
  it("waits as long as the service asked, then succeeds", async () => {
    const { settings, slept } = recording(cosmosRetrySettings());
    const { call, calls } = flaky(throttled(750), throttled(1200));
    expect(await new RetryPolicy(settings, cosmosRules).execute(call)).toBe("done");
    expect(calls.count).toBe(3);
    expect(slept).toEqual([750, 1200]);
  });

  it("honours an HTTP-date Retry-After on an answer it counts as a failure, and returns the answer it gave up on", async () => {
    const { settings, slept } = recording(graphRetrySettings(), { maxRetries: 2 });
    const answers: { status: number; headers: Headers }[] = [];
    const policy = new RetryPolicy<{ status: number; headers: Headers }>(settings, {
      result: (answer) => answer.status === 429,
    });
    const last = await policy.execute(async () => {
      const answer = {
        status: 429,
        headers: new Headers({ "retry-after": new Date(Date.now() + 30_000).toUTCString() }),
      };
      answers.push(answer);
      return answer;
    });
    expect(answers).toHaveLength(3);
    expect(last).toBe(answers[2]);
    expect(slept).toHaveLength(2);
    // HTTP dates have whole seconds: the wait is the rest of the 30 s, minus the part of a second gone.
    for (const ms of slept) expect(ms).toBeGreaterThan(28_000);
    for (const ms of slept) expect(ms).toBeLessThanOrEqual(30_000);
  });

  it("without a hint, backs off exponentially with jitter in the upper half of each step", async () => {
    for (const random of [() => 0, () => 0.999_999, Math.random]) {
      const { settings, slept } = recording(cosmosRetrySettings(), { random });
      const { call } = flaky(...Array.from({ length: 4 }, () => new Error("socket hang up")));
      await expect(new RetryPolicy(settings, cosmosRules).execute(call)).rejects.toThrow("socket hang up");
      // Cosmos: ceilings 100, 400, 1600 ms (base 100, growing fourfold).
      expect(slept).toHaveLength(3);
      [100, 400, 1600].forEach((ceiling, i) => {
        expect(slept[i]).toBeGreaterThanOrEqual(ceiling / 2);
        expect(slept[i]).toBeLessThanOrEqual(ceiling);
      });
    }
    const low = recording(graphRetrySettings(), { random: () => 0 });
    await new RetryPolicy(low.settings, { error: () => true })
      .execute(flaky(new Error("a"), new Error("b"), new Error("c")).call)
      .catch(() => undefined);
    // Graph: ceilings 500, 1000, 2000 ms.
    expect(low.slept).toEqual([250, 500, 1000]);
  });

  it("spreads concurrent callers out: jittered waits differ", async () => {
    const waits = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const { settings, slept } = recording(cosmosRetrySettings());
      await new RetryPolicy(settings, cosmosRules).execute(flaky(new Error("socket hang up")).call);
      waits.add(slept[0] as number);
    }
    expect(waits.size).toBeGreaterThan(10);
  });

  it("stops after the maximum number of retries and rethrows the last failure as it was", async () => {
    const { settings, slept } = recording(cosmosRetrySettings(), { maxRetries: 3 });
    const last = throttled(10);
    const { call, calls } = flaky(throttled(10), throttled(10), throttled(10), last);
    const error = await new RetryPolicy(settings, cosmosRules).execute(call).catch((e: unknown) => e);
    expect(error).toBe(last);
    expect(calls.count).toBe(4);
    expect(slept).toEqual([10, 10, 10]);
  });

  it("caps a single wait, whatever the service asks", async () => {
    const { settings, slept } = recording(graphRetrySettings());
    const { call } = flaky(throttled(10 * 60_000));
    await new RetryPolicy(settings, cosmosRules).execute(call);
    expect(slept).toEqual([60_000]);
  });

  it("gives up rather than wait past the total budget", async () => {
    const { settings, slept } = recording(cosmosRetrySettings(), { maxRetries: 10, maxTotalWaitMs: 10_000 });
    const failures = Array.from({ length: 10 }, () => throttled(4000));
    const { call, calls } = flaky(...failures);
    const error = await new RetryPolicy(settings, cosmosRules).execute(call).catch((e: unknown) => e);
    // 4 s + 4 s fit in 10 s; a third wait would not, so the third failure is the answer.
    expect(slept).toEqual([4000, 4000]);
    expect(calls.count).toBe(3);
    expect(error).toBe(failures[2]);
  });

  it("passes a real refusal on at once", async () => {
    const { settings, slept } = recording(cosmosRetrySettings());
    const conflict = Object.assign(new Error("Conflict"), { code: 409 });
    const { call, calls } = flaky(conflict);
    await expect(new RetryPolicy(settings, cosmosRules).execute(call)).rejects.toBe(conflict);
    expect(calls.count).toBe(1);
    expect(slept).toEqual([]);
  });

  it("tells the caller before each wait, never when it gives up", async () => {
    const { settings } = recording(cosmosRetrySettings(), { maxRetries: 2 });
    const events: RetryEvent[] = [];
    const failures = [throttled(300), throttled(600), throttled(900)];
    await new RetryPolicy(settings, { ...cosmosRules, onRetry: (e) => events.push(e) })
      .execute(flaky(...failures).call)
      .catch(() => undefined);
    expect(events.map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 300],
      [2, 600],
    ]);
    expect(events[0]?.failure).toEqual({ error: failures[0] });
  });

  it("stops waiting at once when the call is cancelled, and tries no more", async () => {
    // The real sleep: a minute's Retry-After, cancelled after 20 ms.
    const settings = cosmosRetrySettings();
    const { call, calls } = flaky(throttled(60_000));
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 20);
    const started = Date.now();
    const error = await new RetryPolicy(settings, cosmosRules).execute(call, cancel.signal).catch((e) => e);
    expect((error as Error).name).toBe("AbortError");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(calls.count).toBe(1);
  });

  it("does not retry a call cancelled while it ran: its failure is the answer", async () => {
    const { settings, slept } = recording(cosmosRetrySettings());
    const cancel = new AbortController();
    const failure = throttled(100);
    let calls = 0;
    const error = await new RetryPolicy(settings, cosmosRules)
      .execute(async () => {
        calls++;
        cancel.abort();
        throw failure;
      }, cancel.signal)
      .catch((e: unknown) => e);
    expect(error).toBe(failure);
    expect(calls).toBe(1);
    expect(slept).toEqual([]);
  });
});
