import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionDoc, EventDoc, TaskDoc } from "../../api/store/documents.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID, PRODUCT_APP } from "../../sim/index.ts";
import { type FullStack, pollUntil, startFullStack } from "../support/full-stack.ts";
import { withholdAppPermission } from "../support/sim.ts";
import { installation, message } from "./support/activities.ts";
import { ConnectorStandIn } from "./support/connector-stand-in.ts";
import { ADMIN, ADMIN_CHANNEL_ID, READER, TEAM_ID } from "./support/fixtures.ts";
import { cardIssues } from "./support/validate-card.ts";

/**
 * Proactive delivery end to end: the bot endpoint of the process `npm start` runs (no bot registration, so it
 * takes unsigned activities and calls the connector without a token), a local stand-in for the Bot Connector
 * as the conversation's service URL, and real syncs of the simulated tenant started through the API or chat.
 */
/** Alex Wilber: no directory role; given the product's admin app role by the test that needs it. */
const APP_ROLE_ONLY = { oid: "4782e723-f4f4-4af3-a76e-25e3bab0d896", name: "Alex Wilber", mri: "29:alex" };

describe("alerts from real syncs reach the team channel through the Bot Connector", () => {
  const connector = new ConnectorStandIn();
  let s: FullStack;
  let admin: string;
  let connectionId: string;

  beforeAll(async () => {
    await connector.start();
    s = await startFullStack();
    admin = await s.adminToken();
    const created = await s.createDemoConnection(admin);
    connectionId = created.body.id;
  });
  afterAll(async () => {
    await s?.close();
    await connector.close();
  });

  const deliver = (activity: object) =>
    fetch(`${s.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...activity, serviceUrl: connector.serviceUrl }),
    });

  const sync = async (): Promise<TaskDoc> => {
    const started = await s.api(`/api/connections/${connectionId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    expect(started.status, started.text).toBe(202);
    return s.waitForTask(started.body.id);
  };

  /** The event a task raised, once the bot has settled its delivery (the post happens after the task ends). */
  const settledEvent = (kind: EventDoc["kind"], match: (e: EventDoc) => boolean) =>
    pollUntil(`a settled ${kind} event`, async () => {
      const res = await s.api(`/api/events?kind=${kind}`, { token: admin });
      const event = (res.body.items as EventDoc[]).find(match);
      return event && event.delivery?.status !== "pending" ? event : undefined;
    });

  /** Alerts open a new thread in the alert channel: the cards posted that way since `from`. */
  const threadCards = (from: number) =>
    connector
      .cards()
      .filter((c) => c.call.path === "/v3/conversations" && connector.calls.indexOf(c.call) >= from)
      .map((c) => {
        expect(c.call.body).toMatchObject({
          isGroup: true,
          channelData: { channel: { id: ADMIN_CHANNEL_ID } },
        });
        expect(cardIssues(c.card)).toEqual([]);
        return JSON.stringify(c.card);
      });

  it("an install into a team channel makes it the alert channel and says so there", async () => {
    const response = await deliver(
      installation("add", {
        teamId: TEAM_ID,
        channelId: ADMIN_CHANNEL_ID,
        channelName: "Directory sync admins",
        person: ADMIN,
      }),
    );
    expect(response.status).toBe(200);
    const welcome = connector.cards().at(-1);
    expect(welcome?.call).toMatchObject({ method: "POST", conversationId: ADMIN_CHANNEL_ID });
    expect(JSON.stringify(welcome?.card)).toContain("the Directory sync admins channel");
    expect(welcome?.call.authorization).toBeUndefined();
  });

  it("a sync through the simulated tenant posts the completion card with its counters", async () => {
    const from = connector.calls.length;
    const task = await sync();
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    expect(task.counters.users).toMatchObject({ processed: 40, created: 29, skipped: 11 });
    const event = await settledEvent("sync-finished", (e) => e.taskId === task.id);
    expect(event.delivery).toMatchObject({ status: "delivered" });

    const [card, ...more] = threadCards(from);
    expect(more).toEqual([]);
    expect(card).toContain("Sync finished");
    // 29 profiles and 11 lists created, 11 users skipped; the table has a column each for users and lists.
    expect(card).toContain("29 users and 11 lists created.");
    expect(card).toContain("Also 11 users skipped");
    expect(card).toMatch(/"Created".*"29".*"11"/);
    expect(card).toMatch(/"Skipped".*"11".*"0"/);
    expect(card).toContain(`/#/history/${task.id}`);
  });

  it("a sync Graph refuses posts the failure card with the cause and the remedy", async () => {
    s.sim.directory.injectFault({
      method: "GET",
      pathPattern: "^/v1\\.0/users\\?",
      status: 403,
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
      times: 1,
    });
    const from = connector.calls.length;
    const task = await sync();
    expect(task.status).toBe("failed");
    expect(task.error?.code).toBe("permission-missing");
    await settledEvent("sync-failed", (e) => e.taskId === task.id);

    const [card, ...more] = threadCards(from);
    expect(more).toEqual([]);
    expect(card).toContain("Sync failed: A Microsoft Graph permission is missing");
    expect(card).toContain("Permission User.Read.All is missing for /users.");
    expect(card).toContain(
      "**What to do:** Grant User.Read.All to the app and grant admin consent, then retry.",
    );
    expect(card).toContain("Nothing was deleted");
    expect(card).toContain('"verb":"retry"');
    // A missing permission is not a lost credential: the connection stays active.
    const connection = await s.api(`/api/connections/${connectionId}`, { token: admin });
    expect(connection.body.status).toBe("active");
  });

  it('"sync now" from someone without an admin directory role is refused and starts nothing', async () => {
    const from = connector.calls.length;
    const response = await deliver(message("sync now", READER, "channel"));
    expect(response.status).toBe(200);
    const replies = connector.cards().filter((c) => connector.calls.indexOf(c.call) >= from);
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0]?.card)).toContain("Only admins can do that");
    expect((await s.api("/api/tasks?trigger=bot", { token: admin })).body.items).toEqual([]);
  });

  it('"sync now" when the connection cannot read directory roles says so, with the remedy, and starts nothing', async () => {
    const restore = withholdAppPermission(s.sim, "RoleManagement.Read.Directory");
    try {
      // A fresh process holds no token issued before the grant changed.
      await s.restartApi();
      const from = connector.calls.length;
      expect((await deliver(message("sync now", ADMIN, "channel"))).status).toBe(200);
      const replies = connector.cards().filter((c) => connector.calls.indexOf(c.call) >= from);
      expect(replies).toHaveLength(1);
      const text = JSON.stringify(replies[0]?.card);
      expect(text).toContain("Admin rights could not be checked");
      expect(text).toContain("RoleManagement.Read.Directory");
      expect(text).not.toContain("Only admins can do that");
      expect((await s.api("/api/tasks?trigger=bot", { token: admin })).body.items).toEqual([]);
    } finally {
      restore();
      await s.restartApi();
    }
  });

  it('"sync now" from someone with only the admin app role says chat cannot see app roles without Directory.Read.All', async () => {
    // The demo connection's app has RoleManagement.Read.Directory but not Directory.Read.All.
    s.sim.directory.assignAppRole(
      DEMO_TENANT_ID,
      APP_ROLE_ONLY.oid,
      PRODUCT_APP.clientId,
      "DirectorySync.Admin",
    );
    try {
      const from = connector.calls.length;
      expect((await deliver(message("sync now", APP_ROLE_ONLY, "channel"))).status).toBe(200);
      const replies = connector.cards().filter((c) => connector.calls.indexOf(c.call) >= from);
      expect(replies).toHaveLength(1);
      const text = JSON.stringify(replies[0]?.card);
      expect(text).toContain("Only admins can do that");
      expect(text).toContain("chat cannot see app roles (DirectorySync.Admin)");
      expect(text).toContain("Directory.Read.All");
      expect((await s.api("/api/tasks?trigger=bot", { token: admin })).body.items).toEqual([]);
    } finally {
      s.sim.directory.removeAppRole(
        DEMO_TENANT_ID,
        APP_ROLE_ONLY.oid,
        PRODUCT_APP.clientId,
        "DirectorySync.Admin",
      );
    }
  });

  it('"sync now" from an admin in the channel answers with the task\'s card and runs the sync', async () => {
    const from = connector.calls.length;
    const response = await deliver({ ...message("sync now", ADMIN, "channel"), id: "1700000000123" });
    expect(response.status).toBe(200);

    const reply = connector.cards().find((c) => connector.calls.indexOf(c.call) >= from);
    expect(reply?.call).toMatchObject({
      method: "POST",
      conversationId: `${ADMIN_CHANNEL_ID};messageid=1700000000000`,
    });
    expect(cardIssues(reply?.card)).toEqual([]);
    const replyText = JSON.stringify(reply?.card);
    expect(replyText).not.toContain("Only admins");
    const started = await s.api("/api/tasks?trigger=bot", { token: admin });
    expect(started.body.items).toHaveLength(1);
    const taskId: string = started.body.items[0].id;
    expect(replyText).toContain(`/#/history/${taskId}`);
    expect(replyText).toContain("Started from chat by MOD Administrator");

    const task = await s.waitForTask(taskId);
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    expect(task.requestedBy).toMatchObject({ oid: ADMIN.oid });
    // Nothing changed since the last run, and quiet mode is the default: the channel hears nothing more.
    const event = await settledEvent("sync-finished", (e) => e.taskId === taskId);
    expect(event.delivery?.error).toBe("Not posted: quiet mode is on and the sync changed nothing.");
    expect(threadCards(from)).toEqual([]);
  });

  it("an expired secret fails the next sync, the connection needs reauthorization, and the prompt arrives", async () => {
    s.sim.directory.expireSecret(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    // Entra keeps honouring an app token until it expires, so the expiry shows at the next token request:
    // here, that of a fresh API process (as after a deploy, or an hour later in a long-running one).
    await s.restartApi();
    admin = await s.adminToken();
    const from = connector.calls.length;
    const task = await sync();
    expect(task.status).toBe("failed");
    expect(task.counters.users.deleted).toBe(0);

    const connection = (await s.api(`/api/connections/${connectionId}`, { token: admin }))
      .body as ConnectionDoc;
    expect(connection.status).toBe("needs-reauth");
    expect(connection.statusProblem?.code).toBe("secret-expired");
    await settledEvent("needs-reauth", (e) => e.connectionId === connectionId);
    await settledEvent("sync-failed", (e) => e.taskId === task.id);

    const cards = threadCards(from);
    const reauth = cards.filter((c) => c.includes("Reauthorization needed"));
    expect(reauth).toHaveLength(1);
    // The card is compared as JSON text, so the cause is looked for JSON-escaped.
    expect(reauth[0]).toContain(JSON.stringify(connection.statusProblem?.message).slice(1, -1));
    expect(reauth[0]).toContain("has expired");
    expect(reauth[0]).toContain(`/#/connections/${connectionId}/settings`);
    expect(reauth[0]).toContain('"title":"Reauthorize"');
    const failed = cards.filter((c) => c.includes("Sync failed"));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain("Sync failed: The connection needs to be reauthorized");
    expect(await profileCount()).toBe(29);
  });

  const profileCount = async () =>
    (await s.api("/api/profiles?status=active&pageSize=100", { token: admin })).body.items.length +
    (await s.api("/api/profiles?status=inactive&pageSize=100", { token: admin })).body.items.length;
});
