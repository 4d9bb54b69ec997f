import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSyncSettings } from "../../api/domain/sync-settings.ts";
import { Scheduler, type StartScheduledTask } from "../../api/scheduler/scheduler.ts";
import { syncSlot } from "../../api/scheduler/slots.ts";
import type { ConnectionDoc } from "../../api/store/documents.ts";
import { openStore, type Store } from "../../api/store/store.ts";
import { startTestStore } from "../support/stack.ts";

const TENANT = "11111111-2222-3333-4444-555555555555";
const MINUTE = 60_000;
const logger = pino({ level: "silent" });

const connectionDoc = (id: string, at: number, patch: Partial<ConnectionDoc> = {}): ConnectionDoc => ({
  id,
  tenantId: TENANT,
  type: "connection",
  name: id,
  kind: "graph-app",
  status: "active",
  settings: defaultSyncSettings(),
  schedule: { enabled: true, intervalMinutes: 1, fullEveryHours: 24, quiet: false },
  allowConcurrent: true,
  createdAt: new Date(at).toISOString(),
  createdBy: { oid: "a", name: "A" },
  updatedAt: new Date(at).toISOString(),
  updatedBy: { oid: "a", name: "A" },
  ...patch,
});

describe("scheduled runs across two API instances on one Cosmos server", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  let second: Store;
  let clock = Date.UTC(2026, 0, 5, 9, 0, 0);
  const started: { instance: string; connectionId: string; type: string; at: number }[] = [];

  const schedulerOn = (store: Store, instanceId: string) => {
    const startTask: StartScheduledTask = async (_tenant, connectionId, { type }) => {
      started.push({ instance: instanceId, connectionId, type, at: clock });
      return { status: "started", taskId: randomUUID() };
    };
    return new Scheduler({ store, startTask, logger, instanceId, now: () => clock });
  };

  beforeAll(async () => {
    stack = await startTestStore();
    // A second client of its own, as a second API process would have.
    second = await openStore({ endpoint: stack.endpoint, key: stack.key, database: stack.database });
  });
  afterAll(async () => {
    second?.close();
    await stack?.close();
  });

  it("starts each run of a 1-minute schedule exactly once", async () => {
    const one = schedulerOn(stack.store, "api-1");
    const two = schedulerOn(second, "api-2");
    const a = await stack.store.connections.create(connectionDoc("conn-a", clock));
    const b = await stack.store.connections.create(connectionDoc("conn-b", clock));
    await syncSlot(stack.store, a, a, clock);
    await syncSlot(stack.store, b, b, clock);

    for (let minute = 1; minute <= 10; minute++) {
      clock += MINUTE;
      // Both instances tick at the same moment, several times within the minute.
      await Promise.all([one.tick(), two.tick(), one.tick(), two.tick()]);
      await Promise.all([two.tick(), one.tick()]);
    }
    for (const id of ["conn-a", "conn-b"]) {
      const runs = started.filter((r) => r.connectionId === id);
      expect(runs).toHaveLength(10);
      expect(new Set(runs.map((r) => r.at)).size).toBe(10);
      expect(runs[0]?.type).toBe("full");
      expect(runs.slice(1).every((r) => r.type === "incremental")).toBe(true);
    }
    // Work was shared by whoever got there first, not duplicated.
    expect(new Set(started.map((r) => r.instance)).size).toBeGreaterThanOrEqual(1);
  });

  it("skips a run while one is going, backs off while reauthorization is needed, and stops when off", async () => {
    started.length = 0;
    const one = schedulerOn(stack.store, "api-1");
    const two = schedulerOn(second, "api-2");
    await stack.store.connections.update(TENANT, "conn-a", (c) => ({
      ...c,
      lastTask: { id: "t-running", type: "full", status: "running" },
    }));
    await stack.store.connections.update(TENANT, "conn-b", (c) => ({
      ...c,
      status: "needs-reauth",
      statusProblem: {
        code: "secret-expired",
        message: "m",
        remedy: "r",
        since: new Date(clock).toISOString(),
      },
    }));
    const outcomes = [];
    for (let minute = 1; minute <= 8; minute++) {
      clock += MINUTE;
      const [x, y] = await Promise.all([one.tick(), two.tick()]);
      outcomes.push(...x, ...y);
    }
    expect(started).toEqual([]);
    const a = outcomes.filter((o) => o.connectionId === "conn-a");
    expect(a).toHaveLength(8);
    expect(a.every((o) => o.action === "skipped" && o.reason.includes("t-running"))).toBe(true);
    // Back-off: 2, 4, 8 minutes between attempts instead of every minute.
    const b = outcomes.filter((o) => o.connectionId === "conn-b");
    expect(b.length).toBeLessThanOrEqual(3);
    expect(b.every((o) => o.action === "skipped" && o.reason.includes("secret-expired"))).toBe(true);

    const off = await stack.store.connections.update(TENANT, "conn-a", (c) => ({
      ...c,
      schedule: { ...c.schedule, enabled: false },
      lastTask: { id: "t-done", type: "full", status: "succeeded" },
    }));
    await syncSlot(stack.store, off, off, clock);
    for (let minute = 1; minute <= 3; minute++) {
      clock += MINUTE;
      await Promise.all([one.tick(), two.tick()]);
    }
    expect(started.filter((r) => r.connectionId === "conn-a")).toEqual([]);
  });
});
