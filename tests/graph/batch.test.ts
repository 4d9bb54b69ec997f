import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BatchResponse, GraphApi } from "../../api/graph/client.ts";
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

  it("a part Graph keeps throttling comes back as its last answer after six retries; the others once", async () => {
    now += 60_000;
    const slept: number[] = [];
    const graph = new GraphApi({
      baseUrl: sim.url,
      getToken: async () => token,
      retry: {
        sleep: async (ms) => {
          slept.push(ms);
          now += ms;
        },
      },
    });
    const [stubborn, other] = sim.directory.listUsers(DEMO_TENANT_ID);
    sim.directory.injectFault({
      pathPattern: `^/v1.0/users/${stubborn?.id}`,
      status: 429,
      code: "TooManyRequests",
      retryAfterSeconds: 3,
      times: 50,
    });
    const answers = await graph.batchGet([
      { id: "stubborn", url: `/users/${stubborn?.id}?$select=id` },
      { id: "other", url: `/users/${other?.id}?$select=id` },
    ]);
    expect(answers.map((a) => [a.id, a.status])).toEqual([
      ["stubborn", 429],
      ["other", 200],
    ]);
    expect(graph.failureOf(answers[0] as BatchResponse, "/users").kind).toBe("throttled");
    expect(graph.stats).toMatchObject({ throttled: 6, retries: 6, batchedRequests: 2 + 6 });
    expect(slept.filter((ms) => ms === 3000)).toHaveLength(6);
  });
});
