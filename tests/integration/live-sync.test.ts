import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEDULER_PARTITION, slotId, slotRepository } from "../../api/scheduler/slots.ts";
import type { TaskDoc } from "../../api/store/documents.ts";
import { DEMO_CUSTOMER_APP, DEMO_ORDINARY_USER_ID, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, pollUntil, startFullStack } from "../support/full-stack.ts";

/**
 * Graph change notifications drive incremental runs: the simulator posts notifications to the running
 * product exactly as Graph would, and the product's directory follows without any scheduled run (the
 * scheduler's timer is off, as SCHEDULER_ENABLED=false leaves it).
 */
const LIVE = { quietMs: 300, maxDelayMs: 1500, busyRetryMs: 300 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface FeedEvent {
  type: string;
  data: Record<string, unknown>;
  changes?: Record<string, { from: unknown; to: unknown }>;
  cause: { taskId: string | null; trigger: string | null };
}

interface Profile {
  sourceId: string;
  status: string;
  fields: Record<string, unknown>;
}

async function connect(stack: FullStack, token: string): Promise<string> {
  const created = await stack.api("/api/connections", {
    token,
    method: "POST",
    json: {
      name: "Live",
      kind: "graph-app",
      clientId: DEMO_CUSTOMER_APP.clientId,
      clientSecret: DEMO_CUSTOMER_APP.clientSecret,
    },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const started = await stack.api(`/api/connections/${id}/tasks`, {
    token,
    method: "POST",
    json: { type: "full" },
  });
  expect(started.status).toBe(202);
  expect((await stack.waitForTask(started.body.id)).status).toBe("succeeded");
  return id;
}

describe("live updates through Graph change notifications", () => {
  let stack: FullStack;
  let token: string;
  let connectionId: string;
  const subs = () => stack.sim.directory.listSubscriptions(DEMO_TENANT_ID);
  const subFor = (resource: string) => subs().find((s) => s.resource === resource);

  const profileOf = async (sourceId: string, status = "active"): Promise<Profile | undefined> => {
    const res = await stack.api(`/api/profiles?status=${status}&pageSize=200`, { token });
    return (res.body.items as Profile[]).find((p) => p.sourceId === sourceId);
  };
  const tasks = async (): Promise<TaskDoc[]> =>
    (await stack.api("/api/tasks?pageSize=200", { token })).body.items as TaskDoc[];
  const idle = () =>
    pollUntil("no task running", async () =>
      (await tasks()).some((t) => t.status === "queued" || t.status === "running") ? undefined : true,
    );
  /** Waits until notifications are posted and the coalesced runs they caused have ended. */
  const settle = async () => {
    await stack.sim.directory.subscriptions.settle();
    await sleep(LIVE.maxDelayMs + 200);
    await idle();
  };
  const jobTitleOf = async (sourceId: string) => (await profileOf(sourceId))?.fields.jobTitle;

  /** The application's view: the change feed read with an API key, as a consumer follows it. */
  let apiKey = "";
  const feedEnd = async (): Promise<string> => {
    let cursor = "0";
    for (;;) {
      const res = await stack.api(`/api/v1/events?after=${cursor}&limit=200`, { token: apiKey });
      expect(res.status, res.text).toBe(200);
      cursor = res.body.nextCursor;
      if (!res.body.hasMore) return cursor;
    }
  };
  /** Waits for an event after `after` that `matches`, and checks a notification caused it. */
  const feedEvent = (after: string, what: string, matches: (e: FeedEvent) => boolean) =>
    pollUntil(`${what} in GET /api/v1/events`, async () => {
      const res = await stack.api(`/api/v1/events?after=${after}&limit=200`, { token: apiKey });
      expect(res.status, res.text).toBe(200);
      const found = (res.body.data as FeedEvent[]).find(matches);
      if (found) expect(found.cause.trigger, what).toBe("notification");
      return found;
    });

  beforeAll(async () => {
    stack = await startFullStack({ env: { LIVE_UPDATES: "true" }, start: { liveSync: LIVE } });
    token = await stack.adminToken();
    connectionId = await connect(stack, token);
    const key = await stack.api("/api/api-keys", {
      token,
      method: "POST",
      json: { name: "Live consumer", scopes: ["directory:read", "events:read"] },
    });
    expect(key.status, key.text).toBe(201);
    apiKey = key.body.key;
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it("subscribes to users and groups after the first sync and says it is live", async () => {
    const live = await pollUntil("the connection to be live", async () => {
      const res = await stack.api(`/api/connections/${connectionId}/live`, { token });
      return res.body.state === "live" ? res.body : undefined;
    });
    expect(live.subscriptions.map((s: { resource: string }) => s.resource).sort()).toEqual([
      "groups",
      "users",
    ]);
    expect(JSON.stringify(live)).not.toContain("clientState");
    expect(subs().map((s) => s.notificationUrl)).toEqual([
      `${stack.url}/graph/notifications`,
      `${stack.url}/graph/notifications`,
    ]);
    expect(subs().every((s) => s.changeType === "updated,deleted" && s.lifecycleNotificationUrl)).toBe(true);
  });

  it("answers Graph's validation request with the decoded token as text/plain", async () => {
    const res = await fetch(
      `${stack.url}/graph/notifications?validationToken=${encodeURIComponent("a b+c/d")}`,
      {
        method: "POST",
        headers: { "content-type": "text/plain" },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("a b+c/d");
  });

  it("a user's change reaches the directory through a notification-triggered run", async () => {
    const mark = await feedEnd();
    stack.sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Live Title" });
    await pollUntil("the new job title", async () =>
      (await jobTitleOf(DEMO_ORDINARY_USER_ID)) === "Live Title" ? true : undefined,
    );
    const triggers = new Set((await tasks()).map((t) => t.trigger));
    expect(triggers).toEqual(new Set(["manual", "notification"]));
    const live = await stack.api(`/api/connections/${connectionId}/live`, { token });
    expect(Date.parse(live.body.lastNotificationAt)).toBeGreaterThan(Date.now() - 60_000);
    // The application sees it too, in the change feed, with the field's old and new value.
    const updated = await feedEvent(
      mark,
      "the job title's profile.updated",
      (e) => e.type === "profile.updated" && e.data.entraObjectId === DEMO_ORDINARY_USER_ID,
    );
    expect(updated.changes?.["fields.jobTitle"]?.to).toBe("Live Title");
  });

  it("a group's new member and a user's deletion reach the directory", async () => {
    await idle();
    const mark = await feedEnd();
    const marketing = stack.sim.directory
      .listGroups(DEMO_TENANT_ID)
      .find((g) => g.displayName === "Marketing");
    const lists = (await stack.api("/api/lists?q=Marketing", { token })).body.items as { id: string }[];
    const listId = lists[0]?.id as string;
    const outsider = stack.sim.directory
      .listUsers(DEMO_TENANT_ID)
      .find(
        (u) =>
          u.givenName &&
          !stack.sim.directory.listMembers(DEMO_TENANT_ID, marketing?.id as string).includes(u.id),
      );
    stack.sim.directory.addMember(DEMO_TENANT_ID, marketing?.id as string, outsider?.id as string);
    await pollUntil("the new member in the list", async () => {
      const members = (await stack.api(`/api/lists/${listId}/members?pageSize=200`, { token })).body
        .items as {
        sourceId: string;
      }[];
      return members.some((m) => m.sourceId === outsider?.id) ? true : undefined;
    });

    const leaver = stack.sim.directory.addUser(DEMO_TENANT_ID, {
      displayName: "Lee Leaver",
      givenName: "Lee",
      surname: "Leaver",
      mail: "lee.leaver@M365x214355.onmicrosoft.com",
    });
    await pollUntil("the new user", async () => ((await profileOf(leaver.id)) ? true : undefined));
    stack.sim.directory.softDeleteUser(DEMO_TENANT_ID, leaver.id);
    await pollUntil("the deleted profile", async () =>
      (await profileOf(leaver.id, "deleted")) ? true : undefined,
    );
    expect((await tasks()).every((t) => t.trigger !== "schedule")).toBe(true);
    // Each of the three changes is in the application's change feed, caused by a notification.
    await feedEvent(
      mark,
      "the new member's membership.added",
      (e) =>
        e.type === "membership.added" &&
        e.data.memberEntraObjectId === outsider?.id &&
        e.data.listId === listId,
    );
    await feedEvent(
      mark,
      "the new user's profile.created",
      (e) => e.type === "profile.created" && e.data.entraObjectId === leaver.id,
    );
    const deleted = await feedEvent(
      mark,
      "the leaver's profile.deleted",
      (e) => e.type === "profile.deleted" && e.data.entraObjectId === leaver.id,
    );
    expect(deleted.data.status).toBe("deleted");
  });

  it("a burst of 1,000 changes in a few seconds causes a handful of runs, and all of them land", async () => {
    await settle();
    const before = (await tasks()).length;
    const synced = new Set(
      ((await stack.api("/api/profiles?status=active&pageSize=200", { token })).body.items as Profile[]).map(
        (p) => p.sourceId,
      ),
    );
    const users = stack.sim.directory.listUsers(DEMO_TENANT_ID).filter((u) => synced.has(u.id));
    for (let i = 0; i < 1000; i++) {
      const user = users[i % users.length];
      stack.sim.directory.updateUser(DEMO_TENANT_ID, user?.id as string, { jobTitle: `Burst ${i}` });
      if (i % 100 === 99) await sleep(200);
    }
    await settle();
    const runs = (await tasks()).length - before;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(8);
    expect(stack.running.live.handler.stats.accepted).toBeGreaterThanOrEqual(1000);
    // Each user's last change is the one in the directory.
    for (const [index, user] of users.entries()) {
      const last = 1000 - 1 - ((1000 - 1 - index) % users.length);
      expect(await jobTitleOf(user.id)).toBe(`Burst ${last}`);
    }
  });

  it("forged notifications (unknown subscription, wrong clientState) start nothing", async () => {
    await settle();
    stack.sim.directory.setNotificationDelivery({ mode: "drop" });
    try {
      stack.sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Unannounced" });
      const before = (await tasks()).length;
      const real = subFor("users");
      const forge = (subscriptionId: string, clientState: string) =>
        fetch(`${stack.url}/graph/notifications`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            value: [
              {
                subscriptionId,
                clientState,
                changeType: "updated",
                resource: `Users/${DEMO_ORDINARY_USER_ID}`,
                resourceData: { id: DEMO_ORDINARY_USER_ID },
                subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
                tenantId: DEMO_TENANT_ID,
              },
            ],
          }),
        });
      const rejectedBefore = stack.running.live.handler.stats.rejected;
      // Answered 202 like any notification, as Microsoft advises, so a forger learns nothing.
      expect((await forge(crypto.randomUUID(), "guess")).status).toBe(202);
      expect((await forge(real?.id as string, "not-the-secret")).status).toBe(202);
      expect((await forge(real?.id as string, "")).status).toBe(202);
      await sleep(LIVE.maxDelayMs + 500);
      expect(stack.running.live.handler.stats.rejected - rejectedBefore).toBe(3);
      expect((await tasks()).length).toBe(before);
      expect(await jobTitleOf(DEMO_ORDINARY_USER_ID)).not.toBe("Unannounced");
      // A malformed body is refused with the field named.
      const bad = await fetch(`${stack.url}/graph/notifications`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ value: [{ subscriptionId: "x" }] }),
      });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.message).toContain("subscriptionId");
    } finally {
      stack.sim.directory.setNotificationDelivery({ mode: "deliver" });
    }
  });

  it("missed: a lifecycle event after dropped notifications runs a delta catch-up", async () => {
    await settle();
    stack.sim.directory.setNotificationDelivery({ mode: "drop" });
    stack.sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Missed Once" });
    stack.sim.directory.setNotificationDelivery({ mode: "deliver" });
    stack.sim.directory.sendLifecycleEvent(subFor("users")?.id as string, "missed");
    await pollUntil("the missed change", async () =>
      (await jobTitleOf(DEMO_ORDINARY_USER_ID)) === "Missed Once" ? true : undefined,
    );
  });

  it("subscriptionRemoved: the product subscribes again and changes keep arriving", async () => {
    await settle();
    const removed = subFor("users")?.id as string;
    stack.sim.directory.sendLifecycleEvent(removed, "subscriptionRemoved");
    const replacement = await pollUntil("a new users subscription", async () => {
      const s = subFor("users");
      return s && s.id !== removed ? s : undefined;
    });
    await pollUntil("the live state to name the new subscription", async () => {
      const res = await stack.api(`/api/connections/${connectionId}/live`, { token });
      return res.body.state === "live" && res.body.lastLifecycle?.event === "subscriptionRemoved"
        ? true
        : undefined;
    });
    expect(replacement.clientState).not.toBe(subs().find((s) => s.resource === "groups")?.clientState);
    await settle();
    stack.sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "After Removal" });
    await pollUntil("the change after re-subscribing", async () =>
      (await jobTitleOf(DEMO_ORDINARY_USER_ID)) === "After Removal" ? true : undefined,
    );
  });

  it("reauthorizationRequired: the product reauthorizes and notifications flow again", async () => {
    await settle();
    const sub = subFor("users");
    stack.sim.directory.sendLifecycleEvent(sub?.id as string, "reauthorizationRequired");
    await pollUntil("the subscription to be reauthorized", async () =>
      stack.sim.directory.subscriptions.live(sub?.id as string)?.needsReauthorization === false
        ? true
        : undefined,
    );
    expect(subFor("users")?.id).toBe(sub?.id);
    await settle();
    stack.sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Reauthorized" });
    await pollUntil("the change after reauthorizing", async () =>
      (await jobTitleOf(DEMO_ORDINARY_USER_ID)) === "Reauthorized" ? true : undefined,
    );
  });

  it("with every notification dropped, the next scheduled run still catches up", async () => {
    await settle();
    stack.sim.directory.setNotificationDelivery({ mode: "drop" });
    try {
      stack.sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Only Polling" });
      await settle();
      expect(await jobTitleOf(DEMO_ORDINARY_USER_ID)).not.toBe("Only Polling");
      // The schedule's next run comes due (as a minute passing would make it) and the scheduler ticks.
      const slots = slotRepository(stack.running.store);
      const slot = await slots.require(SCHEDULER_PARTITION, slotId(DEMO_TENANT_ID, connectionId));
      const past = new Date(Date.now() - 1000).toISOString();
      await slots.replace({ ...slot, dueAt: past, nextAt: past, lastFullAt: new Date().toISOString() });
      const outcomes = await stack.running.scheduler.tick();
      const started = outcomes.find((o) => o.action === "started");
      expect(started).toMatchObject({ type: "incremental" });
      await stack.waitForTask((started as { taskId: string }).taskId);
      expect(await jobTitleOf(DEMO_ORDINARY_USER_ID)).toBe("Only Polling");
    } finally {
      stack.sim.directory.setNotificationDelivery({ mode: "deliver" });
    }
  });

  it("deactivating the connection deletes its subscriptions at Graph", async () => {
    await settle();
    expect(subs().length).toBe(2);
    const res = await stack.api(`/api/connections/${connectionId}/deactivate`, { token, method: "POST" });
    expect(res.status).toBe(200);
    expect(subs()).toEqual([]);
    const live = await stack.api(`/api/connections/${connectionId}/live`, { token });
    expect(live.body.state).toBe("off");
  });
});

describe("live updates that cannot start, and renewal", () => {
  let stack: FullStack;
  let token: string;
  afterAll(async () => {
    await stack?.close();
  });

  it("renews subscriptions well before they expire, keeping their ids", async () => {
    // A short lifetime makes every maintenance pass a renewal, as the tenth day before expiry would.
    stack = await startFullStack({
      env: { LIVE_UPDATES: "true" },
      start: { liveSync: { ...LIVE, maintainEveryMs: 300, lifetimeMinutes: 60, renewWithinMs: 61 * 60_000 } },
    });
    token = await stack.adminToken();
    const id = await connect(stack, token);
    const first = await pollUntil("two subscriptions", async () =>
      stack.sim.directory.listSubscriptions(DEMO_TENANT_ID).length === 2
        ? stack.sim.directory.listSubscriptions(DEMO_TENANT_ID)
        : undefined,
    );
    const renewed = await pollUntil("a renewal", async () => {
      const now = stack.sim.directory.listSubscriptions(DEMO_TENANT_ID);
      const users = now.find((s) => s.resource === "users");
      const before = first.find((s) => s.resource === "users");
      return users && before && users.expirationDateTime > before.expirationDateTime ? now : undefined;
    });
    expect(renewed.map((s) => s.id).sort()).toEqual(first.map((s) => s.id).sort());
    expect(stack.sim.stats.requests["PATCH /subscriptions/{id}"]).toBeGreaterThan(0);
    // Deleting the connection deletes its subscriptions too.
    const del = await stack.api(`/api/connections/${id}?confirm=true&data=keep`, { token, method: "DELETE" });
    expect(del.status).toBe(200);
    expect(stack.sim.directory.listSubscriptions(DEMO_TENANT_ID)).toEqual([]);
    await stack.close();
  }, 60_000);

  it("without the permission Graph asks for, the connection says why and stays on its schedule", async () => {
    stack = await startFullStack({ env: { LIVE_UPDATES: "true" }, start: { liveSync: LIVE } });
    token = await stack.adminToken();
    stack.sim.directory.revokeConsent(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    stack.sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, [
      "User.Read.All",
      "GroupMember.Read.All",
    ]);
    const id = await connect(stack, token);
    const live = await pollUntil("the reason", async () => {
      const res = await stack.api(`/api/connections/${id}/live`, { token });
      return res.body.problem?.code === "permission-missing" ? res.body : undefined;
    });
    expect(live.state).toBe("schedule-only");
    expect(live.problem.message).toContain("Group.Read.All");
    expect(live.problem.remedy).toContain("admin consent");
    // Users are still live: only the groups subscription is missing.
    expect(live.subscriptions.map((s: { resource: string }) => s.resource)).toEqual(["users"]);
  }, 60_000);

  it("a PUBLIC_URL Graph cannot reach leaves the connection on its schedule with the reason", async () => {
    await stack.close();
    stack = await startFullStack({
      env: { LIVE_UPDATES: "true", PUBLIC_URL: "http://directory.example.com" },
      start: { liveSync: LIVE },
    });
    token = await stack.adminToken();
    const id = await connect(stack, token);
    const live = await pollUntil("the reason", async () => {
      const res = await stack.api(`/api/connections/${id}/live`, { token });
      return res.body.problem?.code === "no-public-url" ? res.body : undefined;
    });
    expect(live.state).toBe("schedule-only");
    expect(live.problem.message).toContain("not an https address");
    expect(stack.sim.directory.listSubscriptions(DEMO_TENANT_ID)).toEqual([]);
  }, 60_000);

  it("with LIVE_UPDATES=false every connection stays on its schedule and says so, asking Graph for nothing", async () => {
    await stack.close();
    stack = await startFullStack({ start: { liveSync: LIVE } });
    token = await stack.adminToken();
    const id = await connect(stack, token);
    const live = await pollUntil("the reason", async () => {
      const res = await stack.api(`/api/connections/${id}/live`, { token });
      return res.body.problem?.code === "live-updates-off" ? res.body : undefined;
    });
    expect(live.state).toBe("schedule-only");
    expect(stack.sim.stats.requests["POST /subscriptions"]).toBeUndefined();
  }, 60_000);
});
