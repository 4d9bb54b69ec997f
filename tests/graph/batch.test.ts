import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphApi } from "../../api/graph/client.ts";
import { DEMO_TENANT_ID, type RunningSimulator } from "../../sim/index.ts";
import { appToken, startTestSimulator } from "../sim/helpers.ts";

let sim: RunningSimulator;
let token: string;
let now = Date.UTC(2025, 0, 6, 9);

beforeAll(async () => {
  // A budget far below what the batches cost, so Graph throttles parts of them.
  sim = await startTestSimulator({ clock: () => now, throttling: { budgetPer10s: 40 } });
  token = await appToken(sim);
});
afterAll(() => sim.close());

describe("Graph JSON batches sent several at once", () => {
  it("every answer arrives in request order, throttled parts sent again after their Retry-After", async () => {
    const slept: number[] = [];
    const graph = new GraphApi({
      baseUrl: sim.url,
      getToken: async () => token,
      // Waiting moves the simulator's clock instead of the test's time.
      retry: {
        sleep: async (ms) => {
          slept.push(ms);
          now += ms;
        },
      },
    });
    const users = sim.directory.listUsers(DEMO_TENANT_ID);
    const requests = Array.from({ length: 100 }, (_, i) => {
      const user = users[i % users.length];
      return { id: `r${i}`, url: `/users/${user?.id}?$select=id,displayName` };
    });
    const answers = await graph.batchGet(requests);
    expect(answers.map((a) => a.id)).toEqual(requests.map((r) => r.id));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    answers.forEach((a, i) => {
      expect((a.body as { id: string }).id).toBe(users[i % users.length]?.id);
    });
    expect(graph.stats.throttled).toBeGreaterThan(0);
    expect(graph.stats.retries).toBeGreaterThan(0);
    expect(slept.length).toBeGreaterThan(0);
  });
});
