import { describe, expect, it } from "vitest";
import { benchSize, type RunResult } from "../../bench/bench.ts";
import { verdicts } from "../../bench/report.ts";
import { sizeOf } from "../../bench/sizes.ts";
import { startStandins } from "../../bench/standins.ts";

// Structure only: the benchmark reports time, tests never assert it.
describe("npm run bench, on a 200-user tenant without latency", () => {
  it("measures a full, a killed and resumed, an unchanged and a changed run against the lower bounds", async () => {
    // Early in the run, so the worker is still running when killed even if its process outpaces the
    // in-process reference run.
    const result = await benchSize(sizeOf(200), { latencyMs: 0, startStandins, killAt: 0.3 });
    expect(result.runs.map((r) => r.run)).toEqual([
      "full",
      "full, killed and resumed",
      "incremental, no changes",
      "incremental, 1% changed",
    ]);
    expect(result.runs.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    const [full, resumed, quiet, changed] = result.runs as [RunResult, RunResult, RunResult, RunResult];

    expect(result.bound.users).toBe(200);
    expect(full.lowerBound).toBe(result.bound.total);
    expect(full.graph.requests).toBeGreaterThanOrEqual(full.lowerBound);
    expect(full.cosmos.writes.profiles).toBeGreaterThan(0);
    expect(full.graph.failedAfterRetries).toBe(0);

    // The worker process died mid-run, the survivor finished the task: same counters and directory.
    const check = resumed.resume;
    expect(check?.kill.status).toBe("running");
    expect(check?.takenOver).toBe(true);
    expect(resumed.counters).toEqual(full.counters);
    expect(check?.sameCounters).toBe(true);
    for (const c of Object.values(check?.directory ?? {})) {
      expect(c.resumed).toBe(c.uninterrupted);
      expect(c.missing + c.extra).toBe(0);
    }
    expect(check?.directory.profiles.uninterrupted).toBeGreaterThan(0);
    expect(check?.directory.memberships.uninterrupted).toBeGreaterThan(0);
    expect(check?.createdRecords.resumed).toBe(check?.createdRecords.uninterrupted);
    expect(check?.identical).toBe(true);
    // Its Graph requests are both workers': the killed one's are not lost from the count.
    expect(resumed.graph.requests).toBeGreaterThan(check?.graphRequests.resumed ?? 0);
    const verdict = verdicts([result]).find((v) => v.target.startsWith("killed full sync resumed"));
    expect(verdict?.pass).toBe(true);
    expect(verdict?.detail).toMatch(/^200: same, killed at 30\.0% of the full sync's time while /);

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
