import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BotModule, createBotModule } from "../../api/app/bot-module.ts";
import { createBotRecords } from "../../api/app/bot-records.ts";
import type { NewEvent } from "../../api/events.ts";
import { EventBus } from "../../api/events.ts";
import type { Store } from "../../api/store/store.ts";
import { startTestStore } from "../support/stack.ts";
import { cardAction, installation } from "./support/activities.ts";
import { ConnectorStandIn } from "./support/connector-stand-in.ts";
import { FakeSync } from "./support/fake-sync.ts";
import {
  ADMIN,
  ADMIN_CHANNEL_ID,
  counters,
  makeConnection,
  makeTask,
  silentLogger,
  TEAM_ID,
  TENANT,
} from "./support/fixtures.ts";
import { cardIssues } from "./support/validate-card.ts";

let stack: Awaited<ReturnType<typeof startTestStore>>;
let store: Store;
let events: EventBus;
let bot: BotModule;
let server: Server;
let endpoint: string;
const connector = new ConnectorStandIn();

beforeAll(async () => {
  stack = await startTestStore();
  store = stack.store;
  await connector.start();
  events = new EventBus(store);
  const sync = new FakeSync(store);
  sync.admins.add(ADMIN.oid);
  bot = createBotModule({
    config: { publicUrl: "https://sync.example.test" },
    records: createBotRecords(store),
    events,
    sync,
    logger: silentLogger,
  });
  const app = express();
  app.use(bot.router);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  await store.connections.upsert(makeConnection());
});

afterAll(async () => {
  bot?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
  await connector.close();
  await stack?.close();
});

beforeEach(() => {
  connector.mode = "ok";
  connector.calls.length = 0;
});

async function deliver(activity: object): Promise<Response> {
  return fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(activity),
  });
}

async function installIntoTeam() {
  const response = await deliver(
    installation("add", {
      teamId: TEAM_ID,
      channelId: ADMIN_CHANNEL_ID,
      channelName: "Directory sync admins",
      serviceUrl: connector.serviceUrl,
      person: ADMIN,
    }),
  );
  expect(response.status).toBe(200);
}

async function emitFor(kind: NewEvent["kind"], over: Partial<NewEvent> = {}) {
  const event = await events.emit({
    tenantId: TENANT,
    kind,
    connectionId: "conn-1",
    summary: `Test ${kind}`,
    ...over,
  });
  return store.events.require(TENANT, event.id);
}

/** The last card posted as a new thread in the admin channel. */
function lastThreadCard() {
  const posted = connector.cards().filter((c) => c.call.path === "/v3/conversations");
  const last = posted.at(-1);
  expect(last, "a card posted as a new thread").toBeDefined();
  const call = last?.call as NonNullable<typeof last>["call"];
  expect(call.body).toMatchObject({ isGroup: true, channelData: { channel: { id: ADMIN_CHANNEL_ID } } });
  expect(cardIssues(last?.card)).toEqual([]);
  return JSON.stringify(last?.card);
}

describe("proactive delivery through the Bot Connector", () => {
  it("an install into a team stores the channel and answers in it", async () => {
    await installIntoTeam();
    const doc = await store.conversations.get(TENANT, TENANT);
    expect(doc).toMatchObject({
      teamId: TEAM_ID,
      channelId: ADMIN_CHANNEL_ID,
      reference: { serviceUrl: connector.serviceUrl },
    });
    const welcome = connector.cards().at(-1);
    expect(welcome?.call).toMatchObject({ method: "POST", conversationId: ADMIN_CHANNEL_ID });
    expect(JSON.stringify(welcome?.card)).toContain("the Directory sync admins channel");
    // No app id configured: the bot calls the stand-in without a token, as the Agents Playground expects.
    expect(welcome?.call.authorization).toBeUndefined();
  });

  it("sync finished: the completion card arrives and the event is marked delivered", async () => {
    await installIntoTeam();
    const task = await store.tasks.upsert(makeTask({ id: "e2e-finished" }));
    const event = await emitFor("sync-finished", { taskId: task.id });
    const card = lastThreadCard();
    expect(card).toContain("Sync finished");
    expect(card).toContain("https://sync.example.test/#/history/e2e-finished");
    expect(event.delivery).toMatchObject({ status: "delivered" });
  });

  it("sync failed: the failure card with cause, remedy and Retry arrives", async () => {
    await installIntoTeam();
    const task = await store.tasks.upsert(
      makeTask({
        id: "e2e-failed",
        status: "failed",
        error: {
          code: "not-found",
          message: "Group Sales (4f1…) does not exist in Entra ID.",
          remedy: "Remove it from the connection's scope or pick an existing one.",
        },
      }),
    );
    await emitFor("sync-failed", { taskId: task.id });
    const card = lastThreadCard();
    expect(card).toContain("Something in the sync scope no longer exists");
    expect(card).toContain("Remove it from the connection's scope");
    expect(card).toContain('"verb":"retry"');
  });

  it("reauthorization needed: the prompt with a Reauthorize link arrives", async () => {
    await installIntoTeam();
    await store.connections.upsert(
      makeConnection({
        status: "needs-reauth",
        statusProblem: {
          code: "auth-lost",
          message: "The refresh token of admin@M365x214355.onmicrosoft.com was revoked.",
          remedy: "An admin reauthorizes the connection.",
          since: "2025-03-01T07:00:00.000Z",
        },
      }),
    );
    await emitFor("needs-reauth");
    const card = lastThreadCard();
    expect(card).toContain("Reauthorization needed");
    expect(card).toContain("https://sync.example.test/#/connections/conn-1/settings");
    await store.connections.upsert(makeConnection());
  });

  it("halted: the decision card arrives, and an admin's Confirm updates it in place for everyone", async () => {
    await installIntoTeam();
    const task = await store.tasks.upsert(
      makeTask({
        id: "e2e-halted",
        status: "halted",
        finishedAt: undefined,
        halt: { wouldDelete: 52, wouldDeactivate: 0, sample: ["Alex Wilber"], threshold: "50 profiles" },
      }),
    );
    await emitFor("sync-halted", { taskId: task.id });
    expect(lastThreadCard()).toContain("Confirm deletions");
    const click = await deliver({
      ...cardAction("confirm", { taskId: task.id }, ADMIN, "7"),
      serviceUrl: connector.serviceUrl,
    });
    expect(click.status).toBe(200);
    const answer = (await click.json()) as { statusCode: number; type: string; value: unknown };
    expect(answer).toMatchObject({ statusCode: 200, type: "application/vnd.microsoft.card.adaptive" });
    expect(JSON.stringify(answer.value)).toContain("Deletions confirmed by MOD Administrator");
    const update = connector.calls.find((c) => c.method === "PUT");
    expect(update?.path).toMatch(/\/activities\/7$/);
    expect(JSON.stringify(update?.body)).toContain("Deletions confirmed");
  });

  it("quiet mode: a sync that changed nothing is not posted, but settled on the event", async () => {
    await installIntoTeam();
    connector.calls.length = 0;
    await store.connections.upsert(
      makeConnection({ schedule: { enabled: true, intervalMinutes: 60, fullEveryHours: 24, quiet: true } }),
    );
    const task = await store.tasks.upsert(
      makeTask({
        id: "e2e-quiet",
        counters: { users: counters({ processed: 9, unchanged: 9 }), lists: counters() },
      }),
    );
    const event = await emitFor("sync-finished", { taskId: task.id });
    expect(connector.calls).toHaveLength(0);
    expect(event.delivery?.error).toContain("quiet mode");
    await store.connections.upsert(makeConnection());
  });

  it("403 MessageWritesBlocked (bot removed) is recorded on the event and the conversation, then cleared by a good post", async () => {
    await installIntoTeam();
    const task = await store.tasks.upsert(makeTask({ id: "e2e-blocked" }));
    connector.mode = "blocked";
    const failed = await emitFor("sync-finished", { taskId: task.id });
    expect(failed.delivery).toMatchObject({ status: "failed" });
    expect(failed.delivery?.error).toContain("403 MessageWritesBlocked");
    expect(failed.delivery?.error).toContain("Add Directory Sync to the team again");
    const conversation = await store.conversations.get(TENANT, TENANT);
    expect(conversation?.lastDeliveryFailure).toMatchObject({ status: 403 });
    // Nothing recursive: the only events are the ones this test emitted.
    const kinds = (await store.events.all(TENANT)).map((e) => e.kind);
    expect(kinds).not.toContain("delivery-failed");

    connector.mode = "ok";
    const delivered = await emitFor("sync-finished", { taskId: task.id });
    expect(delivered.delivery).toMatchObject({ status: "delivered" });
    expect((await store.conversations.get(TENANT, TENANT))?.lastDeliveryFailure).toBeUndefined();
  });

  it("404 (conversation gone) in a personal chat is recorded too", async () => {
    await store.conversations.delete(TENANT, TENANT);
    expect(
      (await deliver(installation("add", { serviceUrl: connector.serviceUrl, person: ADMIN }))).status,
    ).toBe(200);
    const task = await store.tasks.upsert(makeTask({ id: "e2e-personal" }));
    const ok = await emitFor("sync-finished", { taskId: task.id });
    expect(ok.delivery).toMatchObject({ status: "delivered" });
    expect(connector.calls.at(-1)).toMatchObject({
      method: "POST",
      conversationId: `a:personal-${ADMIN.oid}`,
    });
    connector.mode = "gone";
    const gone = await emitFor("sync-finished", { taskId: task.id });
    expect(gone.delivery?.error).toContain("no longer exists (404 ConversationNotFound)");
    expect((await store.conversations.get(TENANT, TENANT))?.lastDeliveryFailure).toMatchObject({
      status: 404,
    });
  });

  it("without an alert channel the event says how to get one", async () => {
    await store.conversations.delete(TENANT, TENANT);
    const event = await emitFor("sync-failed", { taskId: "e2e-failed" });
    expect(event.delivery).toMatchObject({ status: "failed" });
    expect(event.delivery?.error).toContain("not installed in a team");
  });
});

describe("the endpoint", () => {
  it("handles exactly POST /api/messages", async () => {
    const get = await fetch(endpoint);
    expect(get.status).toBe(404);
  });

  it("rejects unauthenticated requests once an app id is configured", async () => {
    const secured = createBotModule({
      config: {
        publicUrl: "https://sync.example.test",
        BOT_APP_ID: "11111111-2222-3333-4444-555555555555",
        BOT_APP_PASSWORD: "not-used",
      },
      records: createBotRecords(store),
      events: new EventBus(store),
      sync: new FakeSync(store),
      logger: silentLogger,
    });
    const app = express();
    app.use(secured.router);
    const s = await new Promise<Server>((resolve) => {
      const srv = app.listen(0, "127.0.0.1", () => resolve(srv));
    });
    try {
      const response = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(
          installation("add", { teamId: TEAM_ID, serviceUrl: connector.serviceUrl, person: ADMIN }),
        ),
      });
      expect(response.status).toBe(401);
      expect(connector.calls).toHaveLength(0);
    } finally {
      secured.close();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });
});
