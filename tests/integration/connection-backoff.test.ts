import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TickOutcome } from "../../api/scheduler/scheduler.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";

const HOUR = 3600_000;
const ALERTS = ["sync-failed", "needs-reauth"];

/**
 * A connection that keeps failing for one cause, driven through the product's own scheduler with a clock
 * the test moves forward hour by hour (the scheduler's ticks are the only thing done by hand): it is tried
 * again 6, 12 and 24 hours apart instead of every interval, the admin hears about it once, and fixing the
 * cause makes it run at once.
 */
describe("failing connections back off", () => {
  let s: FullStack;
  let admin: string;
  let clock = Date.now();
  /** The demo app's working secret (the first test replaces it). */
  let secret: string = DEMO_CUSTOMER_APP.clientSecret;

  beforeAll(async () => {
    s = await startFullStack({ now: () => clock });
    admin = await s.adminToken();
  });
  afterAll(() => s?.close());

  const createConnection = async (name: string) => {
    const created = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: {
        name,
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: secret,
        schedule: { enabled: true, intervalMinutes: 60, fullEveryHours: 24, quiet: false },
      },
    });
    expect(created.status, created.text).toBe(201);
    return created.body.id as string;
  };
  const alerts = async (connectionId: string) => {
    const res = await s.api(`/api/events?connectionId=${connectionId}&pageSize=200`, { token: admin });
    expect(res.status, res.text).toBe(200);
    return (res.body.items as { kind: string }[]).filter((e) => ALERTS.includes(e.kind)).map((e) => e.kind);
  };
  /** Moves the clock an hour at a time, ticking the scheduler; returns each hour's outcome for the connection. */
  const hours = async (count: number, connectionId: string) => {
    const seen: { hour: number; outcome: TickOutcome }[] = [];
    for (let hour = 1; hour <= count; hour++) {
      clock += HOUR;
      for (const outcome of await s.scheduler.tick()) {
        if (outcome.connectionId !== connectionId) continue;
        seen.push({ hour, outcome });
        if (outcome.action === "started") await s.waitForTask(outcome.taskId);
      }
    }
    return seen;
  };
  const gaps = (at: number[]) => at.slice(1).map((h, i) => h - (at[i] as number));

  it("an expired secret is tried again after 6, 12 and 24 hours, alerts once, and runs at once when replaced", async () => {
    const id = await createConnection("Expiring secret");
    s.sim.directory.expireSecret(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);

    // The first scheduled run finds the expired secret: one reauthorization alert.
    const first = await hours(1, id);
    expect(first.map((h) => h.outcome.action)).toEqual(["started"]);
    const connection = await s.api(`/api/connections/${id}`, { token: admin });
    expect(connection.body.status).toBe("needs-reauth");
    const alerted = await alerts(id);
    expect(alerted).toContain("needs-reauth");

    // Two and a half days later: three attempts, 6, 12 and 24 hours apart, not 60 hourly failures.
    const later = await hours(60, id);
    const attempts = later.filter(
      (h) => h.outcome.action === "skipped" && /tried again/.test(reason(h.outcome)),
    );
    expect(attempts.map((h) => h.hour)).toEqual([6, 18, 42]);
    expect(gaps([0, ...attempts.map((h) => h.hour)])).toEqual([6, 12, 24]);
    expect(later.filter((h) => h.outcome.action === "started")).toEqual([]);
    expect(await alerts(id)).toEqual(alerted);

    // The admin puts a new secret in: the connection runs at the next tick, not after the 24-hour wait.
    s.sim.directory.setSecret(
      DEMO_TENANT_ID,
      DEMO_CUSTOMER_APP.clientId,
      "renewed-secret",
      clock + 365 * 24 * HOUR,
    );
    const current = await s.api(`/api/connections/${id}`, { token: admin });
    const patched = await s.api(`/api/connections/${id}`, {
      token: admin,
      method: "PATCH",
      json: { clientSecret: "renewed-secret" },
      headers: { "if-match": current.headers.get("etag") ?? "" },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.status).toBe("active");
    secret = "renewed-secret";
    const outcomes = await s.scheduler.tick();
    const run = outcomes.find((o) => o.connectionId === id);
    expect(run?.action).toBe("started");
    const task = await s.waitForTask((run as { taskId: string }).taskId);
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    // And back on its hourly schedule.
    expect((await hours(3, id)).map((h) => h.outcome.action)).toEqual(["started", "started", "started"]);
    // One active connection per tenant: make room for the next scenario.
    const off = await s.api(`/api/connections/${id}/deactivate`, { token: admin, method: "POST" });
    expect(off.status, off.text).toBe(200);
  });

  it("runs failing for one cause are quarantined after the second, announced once, and resume when it is fixed", async () => {
    const id = await createConnection("Missing permission");
    // Graph refuses to list users, on every attempt, until the permission problem is fixed.
    s.sim.directory.injectFault({
      method: "GET",
      pathPattern: "^/v1\\.0/users",
      status: 403,
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
      times: 1000,
    });
    try {
      const seen = await hours(50, id);
      const runs = seen.filter((h) => h.outcome.action === "started").map((h) => h.hour);
      // Hour 1 fails, hour 2 fails again: then 6, 12 and 24 hours after each further failure.
      expect(runs).toEqual([1, 2, 8, 20, 44]);
      expect(
        seen.some(
          (h) => h.outcome.action === "skipped" && /quarantined after 2 failed runs/.test(reason(h.outcome)),
        ),
      ).toBe(true);
      expect(await alerts(id)).toEqual(["sync-failed"]);
    } finally {
      s.sim.directory.clearFaults();
    }
    // Fixed in Entra ID itself, outside the product: the next attempt, 24 hours on, succeeds
    // (hour 44 + 24 = hour 68, the 18th of these), and the schedule is hourly again.
    const after = await hours(22, id);
    const runs = after.filter((h) => h.outcome.action === "started").map((h) => h.hour);
    expect(runs).toEqual([18, 19, 20, 21, 22]);
    const last = await s.api(`/api/connections/${id}`, { token: admin });
    expect(last.body.lastTask.status).toBe("succeeded");
  });
});

const reason = (outcome: TickOutcome) => ("reason" in outcome ? outcome.reason : "");
