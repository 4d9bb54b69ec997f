import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT_ID, type RunningSimulator } from "../../sim/index.ts";
import { appToken, graph, startTestSimulator } from "./helpers.ts";

let sim: RunningSimulator;
let token: string;
let now = Date.UTC(2025, 0, 6, 9);

beforeAll(async () => {
  // A small budget keeps the burst short; the cost model is Graph's documented one.
  sim = await startTestSimulator({ clock: () => now, throttling: { budgetPer10s: 20 } });
  token = await appToken(sim);
});
afterAll(() => sim.close());

describe("identity and access throttling", () => {
  it("charges documented resource units and reports them per request", async () => {
    sim.stats.reset();
    const users = await graph(sim, token, "/users");
    expect(users.headers.get("x-ms-resource-unit")).toBe("2");
    const selected = await graph(sim, token, "/users?$select=id");
    expect(selected.headers.get("x-ms-resource-unit")).toBe("1");
    const group = sim.directory.listGroups(DEMO_TENANT_ID)[0]?.id as string;
    const transitive = await graph(sim, token, `/groups/${group}/transitiveMembers`);
    expect(transitive.headers.get("x-ms-resource-unit")).toBe("5");
    expect(sim.stats.resourceUnits).toBe(8);
    now += 10_000;
  });

  it("answers a burst beyond the budget with 429, Retry-After and Graph's body, then recovers", async () => {
    sim.stats.reset();
    const statuses: number[] = [];
    let throttled: Awaited<ReturnType<typeof graph>> | undefined;
    let warned = false;
    for (let i = 0; i < 15; i++) {
      const res = await graph(sim, token, "/users");
      statuses.push(res.status);
      if (res.headers.get("x-ms-throttle-limit-percentage")) warned = true;
      if (res.status === 429) throttled ??= res;
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect(warned).toBe(true);
    expect(sim.stats.throttled).toBe(5);
    expect(Number(throttled?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(throttled?.body.error.code).toBe("TooManyRequests");
    expect(throttled?.headers.get("x-ms-throttle-information")).toBe("ResourceUnitLimitExceeded");
    now += Number(throttled?.headers.get("retry-after")) * 1000;
    expect((await graph(sim, token, "/users")).status).toBe(200);
  });
});
