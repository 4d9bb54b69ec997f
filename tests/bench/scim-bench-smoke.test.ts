import { describe, expect, it } from "vitest";
import { benchScim, formatScim } from "../../bench/scim.ts";
import { planScimDirectory } from "../../bench/scim-directory.ts";
import { sizeOf } from "../../bench/sizes.ts";

// Structure and correctness only: the benchmark reports time, tests never assert it.
describe("npm run bench -- --scim, on a 60-user directory", () => {
  it("plans the same directory every time, every person in two or three distinct groups", () => {
    const size = sizeOf(60);
    const plan = planScimDirectory(size);
    expect(planScimDirectory(size)).toEqual(plan);
    expect(plan.users).toHaveLength(60);
    expect(plan.groups).toHaveLength(3);
    expect(plan.memberships).toBe(150);
    for (const g of plan.groups) expect(new Set(g.members).size).toBe(g.members.length);
    expect(new Set(plan.users.map((u) => u.userName)).size).toBe(60);
  });

  it("provisions users, groups and members over SCIM, loses nothing, duplicates nothing, and a replay creates nothing", async () => {
    const size = sizeOf(60);
    const plan = planScimDirectory(size);
    const result = await benchScim(size, { concurrency: 4, memberBatch: 20, replay: true });
    const { load, verdict } = result;
    // Entra's sequence: a matching GET and a POST per user, a PATCH per user, per group a GET, a POST with
    // its first 20 members and a PATCH for each further 20.
    expect(load.latencies["GET user filter"]).toHaveLength(60);
    expect(load.latencies["POST user"]).toHaveLength(60);
    expect(load.latencies["PATCH user"]).toHaveLength(60);
    expect(load.latencies["POST group"]).toHaveLength(3);
    const patches = plan.groups.reduce((n, g) => n + Math.ceil(Math.max(0, g.members.length - 20) / 20), 0);
    expect(load.latencies["PATCH group members"]).toHaveLength(patches);
    expect(load.requests).toBe(60 * 3 + 3 * 2 + patches + load.throttled + load.retried);

    for (const part of [verdict.profiles, verdict.lists, verdict.memberships]) {
      expect(part.lost).toBe(0);
      expect(part.duplicated).toBe(0);
      expect(part.stored).toBe(part.expected);
    }
    expect(verdict.profiles.expected).toBe(60);
    expect(verdict.lists.expected).toBe(3);
    expect(verdict.memberships.expected).toBe(150);
    expect(verdict.profiles.inactive).toBe(0);
    expect(verdict.wrongMemberCounts).toBe(0);
    expect(result.cycleTasks).toBeGreaterThanOrEqual(1);
    expect(result.replay?.creates).toBe(0);
    expect(formatScim(result)).toContain("lost 0, duplicated 0");
  }, 180_000);
});
