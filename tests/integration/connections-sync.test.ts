import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBus } from "../../api/events.ts";
import { scheduledStartsVia } from "../../api/scheduler/sync-adapter.ts";
import type { ConnectionDoc, TaskDoc } from "../../api/store/documents.ts";
import { SyncService } from "../../api/sync/service.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type AuthStack, startAuthStack } from "../auth/support.ts";

describe("the sync engine through the auth module's hooks", () => {
  let s: AuthStack;

  /** The connection's current ETag, which every change must send back as If-Match. */
  const etagOf = async (connectionId: string, token: string) =>
    (await s.api(`/api/connections/${connectionId}`, { token })).headers.get("etag") ?? "";
  let sync: SyncService;
  let id: string;
  beforeAll(async () => {
    s = await startAuthStack();
    sync = new SyncService({
      store: s.store,
      events: new EventBus(s.store),
      logger: pino({ level: "silent" }),
      ...s.auth.syncHooks,
      leaseMs: 30_000,
    });
    s.auth.scheduler.setStartTask(scheduledStartsVia(sync));
    const created = await s.api("/api/connections", {
      token: await s.token(),
      method: "POST",
      json: {
        name: "Engine",
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
      },
    });
    id = created.body.id;
  });
  afterAll(async () => {
    await sync?.idle();
    await s?.close();
  });

  const run = async (): Promise<TaskDoc> => {
    const result = await scheduledStartsVia(sync)(DEMO_TENANT_ID, id, { type: "full", trigger: "schedule" });
    expect(result.status).toBe("started");
    await sync.idle();
    return (await s.store.tasks.get(DEMO_TENANT_ID, (result as { taskId: string }).taskId)) as TaskDoc;
  };
  const profiles = () => s.store.profiles.count(DEMO_TENANT_ID, { where: "c.status = 'active'" });
  const connection = async () => (await s.store.connections.get(DEMO_TENANT_ID, id)) as ConnectionDoc;

  it("an expired secret fails the run cleanly, deletes nothing, and the connection needs reauthorization", async () => {
    expect((await run()).status).toBe("succeeded");
    const before = await profiles();
    expect(before).toBeGreaterThan(0);

    s.sim.directory.expireSecret(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    s.auth.credentials.forget({ tenantId: DEMO_TENANT_ID, id });
    const failed = await run();
    expect(failed.status).toBe("failed");
    expect(await profiles()).toBe(before);
    const c = await connection();
    expect(c.status).toBe("needs-reauth");
    expect(c.statusProblem?.code).toBe("secret-expired");
    expect(s.events.filter((e) => e.kind === "needs-reauth" && e.connectionId === id)).toHaveLength(1);

    // The scheduler backs off instead of starting runs that cannot work.
    const outcomes = await s.auth.scheduler.tick();
    expect(outcomes.filter((o) => o.action === "started")).toEqual([]);
  });

  it("after a new secret is entered, the next sync succeeds with settings and data intact", async () => {
    s.sim.directory.setSecret(
      DEMO_TENANT_ID,
      DEMO_CUSTOMER_APP.clientId,
      "brand-new-secret-value",
      Date.now() + 86_400_000,
    );
    const patched = await s.api(`/api/connections/${id}`, {
      token: await s.token(),
      method: "PATCH",
      json: { clientSecret: "brand-new-secret-value" },
      headers: { "if-match": await etagOf(id, await s.token()) },
    });
    expect(patched.body.status).toBe("active");
    const before = await profiles();
    const task = await run();
    expect(task.status).toBe("succeeded");
    expect(task.counters.users.deleted).toBe(0);
    expect(await profiles()).toBe(before);
  });
});
