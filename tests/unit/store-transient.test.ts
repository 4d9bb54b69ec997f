import { describe, expect, it } from "vitest";
import { isTransient, retryTransient } from "../../api/store/transient.ts";

const fast = (slept: number[]) => ({
  attempts: 4,
  baseDelayMs: 100,
  sleep: async (ms: number) => {
    slept.push(ms);
  },
});

describe("retrying Cosmos calls that failed transiently", () => {
  it("tells dropped connections and throttling from real refusals", () => {
    expect(isTransient(new Error("Bulk request errored with: socket hang up"))).toBe(true);
    expect(isTransient({ code: "ECONNRESET", message: "read ECONNRESET" })).toBe(true);
    expect(isTransient({ code: 429, message: "Request rate is large" })).toBe(true);
    expect(isTransient({ code: 503, message: "Service unavailable" })).toBe(true);
    expect(isTransient({ code: 409, message: "Conflict" })).toBe(false);
    expect(isTransient({ code: 412, message: "Precondition failed" })).toBe(false);
    expect(isTransient(new Error("Entity with the specified id does not exist"))).toBe(false);
  });

  it("repeats after a growing pause, or the pause the service asked for, until the call succeeds", async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await retryTransient(async () => {
      calls++;
      if (calls === 1) throw new Error("socket hang up");
      if (calls === 2) throw Object.assign(new Error("throttled"), { code: 429, retryAfterInMs: 750 });
      return "done";
    }, fast(slept));
    expect(result).toBe("done");
    expect(calls).toBe(3);
    expect(slept).toEqual([100, 750]);
  });

  it("passes a refusal on at once and gives up on a lasting outage", async () => {
    const slept: number[] = [];
    await expect(
      retryTransient(async () => {
        throw Object.assign(new Error("Conflict"), { code: 409 });
      }, fast(slept)),
    ).rejects.toMatchObject({ code: 409 });
    expect(slept).toEqual([]);
    let calls = 0;
    await expect(
      retryTransient(async () => {
        calls++;
        throw new Error("socket hang up");
      }, fast(slept)),
    ).rejects.toThrow("socket hang up");
    expect(calls).toBe(4);
    expect(slept).toEqual([100, 400, 1600]);
  });
});
