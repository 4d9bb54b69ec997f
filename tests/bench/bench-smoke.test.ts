import { describe, expect, it } from "vitest";
import { benchSize, type RunResult } from "../../bench/bench.ts";
import { sizeOf } from "../../bench/sizes.ts";
import { startStandins } from "../../bench/standins.ts";

// Structure only: the benchmark reports time, tests never assert it.
describe("npm run bench, on a 200-user tenant without latency", () => {
  it("measures a full, an unchanged and a changed run against the lower bounds", async () => {
    const result = await benchSize(sizeOf(200), { latencyMs: 0, startStandins });
    expect(result.runs.map((r) => r.run)).toEqual([
      "full",
      "incremental, no changes",
      "incremental, 1% changed",
    ]);
    expect(result.runs.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const [full, quiet, changed] = result.runs as [RunResult, RunResult, RunResult];

    expect(result.bound.users).toBe(200);
    expect(full.lowerBound).toBe(result.bound.total);
    expect(full.graph.requests).toBeGreaterThanOrEqual(full.lowerBound);
    expect(full.cosmos.writes.profiles).toBeGreaterThan(0);
    expect(full.graph.failedAfterRetries).toBe(0);

    // An unchanged tenant: one delta request per resource, nothing written to the directory.
    expect(quiet.graph.byRoute).toEqual({ "GET /users/delta": 1, "GET /groups/delta": 1 });
    expect(quiet.graph.requests).toBe(2);
    expect(quiet.cosmos.writes.profiles).toBe(0);
    expect(quiet.cosmos.writes.lists).toBe(0);
    expect(quiet.cosmos.writes.memberships).toBe(0);

    expect(result.changes?.changedUsers).toBeGreaterThan(0);
    expect(changed.cosmos.directoryWrites).toBeGreaterThan(0);
    expect(changed.graph.requests).toBeGreaterThanOrEqual(changed.lowerBound);
  });
});
