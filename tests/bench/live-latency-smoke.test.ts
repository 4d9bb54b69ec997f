import { describe, expect, it } from "vitest";
import { benchLatency, formatLatency, percentile } from "../../bench/live-latency.ts";
import { sizeOf } from "../../bench/sizes.ts";

// Structure only: the benchmark reports time, tests never assert it.
describe("npm run bench -- --live, on a 200-user tenant without latency", () => {
  it("times changes with notifications on and with polling, and counts runs and Graph requests", async () => {
    const result = await benchLatency(sizeOf(200), { latencyMs: 0, changes: 10, pollEverySeconds: 2 });
    expect(result.modes.map((m) => m.mode)).toEqual(["notifications", "polling"]);
    for (const mode of result.modes) {
      expect(mode.changes).toBe(10);
      expect(mode.runs).toBeGreaterThanOrEqual(1);
      expect(mode.p50Ms).toBeLessThanOrEqual(mode.p95Ms);
      expect(mode.p95Ms).toBeLessThanOrEqual(mode.maxMs);
      expect(mode.graphRequestsPerChange).toBeGreaterThan(0);
    }
    expect(formatLatency(result)).toContain("notifications on");
  }, 120_000);

  it("takes percentiles by rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
  });
});
