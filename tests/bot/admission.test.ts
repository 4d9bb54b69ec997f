import { type Activity, TestAdapter } from "botbuilder";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBotModule } from "../../api/app/bot-module.ts";
import { createBotRecords } from "../../api/app/bot-records.ts";
import { EventBus } from "../../api/events.ts";
import type { Store } from "../../api/store/store.ts";
import type { AdaptiveCard } from "../../bot/cards/card.ts";
import { AlertChannels } from "../../bot/conversations.ts";
import type { BotLogger } from "../../bot/ports.ts";
import { allowedChannels, DirectorySyncBot } from "../../bot/teams-bot.ts";
import { startTestStore } from "../support/stack.ts";
import { cardAction, cardOf, installation, message, textOf } from "./support/activities.ts";
import { FakeSync } from "./support/fake-sync.ts";
import { ADMIN, links, makeTask, TEAM_ID, TENANT } from "./support/fixtures.ts";
import { cardIssues } from "./support/validate-card.ts";

const OTHER_TENANT = "9b3f0c2d-7e1a-4c55-8d60-2a4e6f8b1c3d";

let stack: Awaited<ReturnType<typeof startTestStore>>;
let store: Store;
let sync: FakeSync;
let logged: { level: string; obj: object; msg?: string }[];
let adapter: TestAdapter;

const recordingLogger: BotLogger = {
  debug: (obj, msg) => logged.push({ level: "debug", obj, ...(msg ? { msg } : {}) }),
  info: (obj, msg) => logged.push({ level: "info", obj, ...(msg ? { msg } : {}) }),
  warn: (obj, msg) => logged.push({ level: "warn", obj, ...(msg ? { msg } : {}) }),
  error: (obj, msg) => logged.push({ level: "error", obj, ...(msg ? { msg } : {}) }),
};

const botWith = (allowed?: readonly string[]) =>
  new DirectorySyncBot({
    records: store,
    sync,
    channels: new AlertChannels(store),
    links,
    logger: recordingLogger,
    ...(allowed ? { allowedChannels: allowed } : {}),
  });

beforeAll(async () => {
  stack = await startTestStore();
  store = stack.store;
});
afterAll(async () => {
  await stack?.close();
});

beforeEach(async () => {
  logged = [];
  sync = new FakeSync(store);
  sync.admins.add(ADMIN.oid);
  await store.conversations.delete(TENANT, TENANT);
  const bot = botWith();
  adapter = new TestAdapter(async (context) => bot.run(context));
});

async function reply(activity: Partial<Activity>, on: TestAdapter = adapter): Promise<AdaptiveCard> {
  let card: AdaptiveCard | undefined;
  await on.send(activity).assertReply((r) => {
    card = cardOf(r);
  });
  const answer = card as AdaptiveCard;
  expect(cardIssues(answer)).toEqual([]);
  return answer;
}

/** A Teams message whose tenant fields are replaced (undefined removes one). */
function withTenants(
  text: string,
  tenants: { conversation?: string | undefined; channelData?: string | undefined },
): Partial<Activity> {
  const base = message(text, ADMIN, "personal") as Activity;
  const conversation = { ...base.conversation } as Activity["conversation"] & { tenantId?: string };
  if ("conversation" in tenants) {
    if (tenants.conversation === undefined) delete conversation.tenantId;
    else conversation.tenantId = tenants.conversation;
  }
  const channelData =
    "channelData" in tenants
      ? tenants.channelData === undefined
        ? {}
        : { tenant: { id: tenants.channelData } }
      : base.channelData;
  return { ...base, conversation, channelData };
}

const noCommandRan = () => {
  expect(sync.calls).toEqual([]);
};

/** Refusals are logged as one warning with plain fields: no error objects, stacks or tokens. */
const expectOneCleanWarning = (pattern: RegExp) => {
  const warnings = logged.filter((l) => l.level === "warn");
  expect(warnings).toHaveLength(1);
  expect(warnings[0]?.msg).toMatch(pattern);
  const text = JSON.stringify(warnings[0]);
  expect(text).not.toMatch(/\bat \S+ \(|stack|Bearer|password/i);
  expect(logged.filter((l) => l.level === "error")).toEqual([]);
};

describe("only Microsoft Teams talks to the bot", () => {
  it.each(["webchat", "directline", "emulator", "slack"])(
    "a command from the %s channel is refused with a reply, and nothing runs",
    async (channelId) => {
      const card = await reply({ ...message("sync now", ADMIN), channelId });
      expect(textOf(card)).toContain("I only work inside Microsoft Teams");
      expect(textOf(card)).toContain("What to do:");
      noCommandRan();
      expectOneCleanWarning(/channel other than Microsoft Teams/);
      expect(logged[0]?.obj).toMatchObject({ channelId, activityType: "message" });
    },
  );

  it("a card click from another channel gets the refusal as its card and decides nothing", async () => {
    const task = await store.tasks.upsert(
      makeTask({ id: "halted-by-webchat", status: "halted", finishedAt: undefined }),
    );
    let body: { statusCode: number; value: AdaptiveCard } | undefined;
    await adapter
      .send({ ...cardAction("confirm", { taskId: task.id }, ADMIN), channelId: "webchat" })
      .assertReply((r) => {
        expect(r.type).toBe("invokeResponse");
        const value = r.value as { status: number; body: typeof body };
        expect(value.status).toBe(200);
        body = value.body;
      });
    expect(textOf((body as NonNullable<typeof body>).value)).toContain("I only work inside Microsoft Teams");
    noCommandRan();
    expect((await store.tasks.get(TENANT, task.id))?.status).toBe("halted");
  });

  it("other invokes from another channel are answered 403", async () => {
    await adapter
      .send({ ...message("x", ADMIN), type: "invoke", name: "task/fetch", channelId: "directline" })
      .assertReply((r) => {
        expect(r.type).toBe("invokeResponse");
        expect((r.value as { status: number }).status).toBe(403);
      });
  });

  it("an install from another channel does not move the alert channel", async () => {
    await adapter
      .send({ ...installation("add", { teamId: TEAM_ID, person: ADMIN }), channelId: "webchat" })
      .startTest();
    expect(await store.conversations.get(TENANT, TENANT)).toBeUndefined();
    expectOneCleanWarning(/channel other than Microsoft Teams/);
  });

  it("Teams is the only channel unless the local stack runs unsigned", () => {
    expect(allowedChannels({})).toEqual(["msteams"]);
    expect(allowedChannels({ BOT_ALLOW_UNSIGNED: false })).toEqual(["msteams"]);
    expect(allowedChannels({ BOT_ALLOW_UNSIGNED: true })).toEqual(["msteams", "emulator"]);
    // With an app id the traffic is signed: a stray BOT_ALLOW_UNSIGNED adds nothing.
    expect(
      allowedChannels({ BOT_APP_ID: "11111111-2222-3333-4444-555555555555", BOT_ALLOW_UNSIGNED: true }),
    ).toEqual(["msteams"]);
  });

  it("the module applies that: the Playground's emulator channel works unsigned, never with an app id", async () => {
    const moduleWith = (config: Parameters<typeof createBotModule>[0]["config"]) =>
      createBotModule({
        config,
        records: createBotRecords(store),
        events: new EventBus(store),
        sync,
        logger: recordingLogger,
      });
    const unsigned = moduleWith({ publicUrl: "https://sync.example.test", BOT_ALLOW_UNSIGNED: true });
    const signed = moduleWith({
      publicUrl: "https://sync.example.test",
      BOT_APP_ID: "11111111-2222-3333-4444-555555555555",
      BOT_APP_PASSWORD: "not-used",
      BOT_ALLOW_UNSIGNED: true,
    });
    try {
      const playground = { ...message("status", ADMIN), channelId: "emulator" };
      const local = await reply(playground, new TestAdapter((c) => unsigned.bot.run(c)));
      expect(textOf(local)).toContain("Directory sync status");
      expect(sync.called("status")[0]?.args).toEqual([TENANT]);

      const production = await reply(playground, new TestAdapter((c) => signed.bot.run(c)));
      expect(textOf(production)).toContain("I only work inside Microsoft Teams");
      expect(sync.called("status")).toHaveLength(1);
    } finally {
      unsigned.close();
      signed.close();
    }
  });
});

describe("the tenant comes from Teams' channelData and must agree with the conversation", () => {
  it("conversation.tenantId and channelData.tenant.id that disagree are refused, whichever is forged", async () => {
    for (const tenants of [
      { conversation: OTHER_TENANT, channelData: TENANT },
      { conversation: TENANT, channelData: OTHER_TENANT },
    ]) {
      logged = [];
      const card = await reply(withTenants("sync now", tenants));
      expect(textOf(card)).toContain("I can't tell which organization this came from");
      expect(textOf(card)).toContain("names two different Microsoft 365 tenants");
      expect(textOf(card)).toContain("What to do:");
      expectOneCleanWarning(/conversation.tenantId and channelData.tenant.id disagree/);
      expect(logged[0]?.obj).toMatchObject({
        reason: "mismatch",
        conversationTenantId: tenants.conversation,
        channelDataTenantId: tenants.channelData,
      });
    }
    noCommandRan();
  });

  it.each([
    ["channelData.tenant.id", { channelData: undefined }],
    ["conversation.tenantId", { conversation: undefined }],
    ["both", { conversation: undefined, channelData: undefined }],
  ])("an activity without %s is refused", async (_missing, tenants) => {
    const card = await reply(withTenants("status", tenants));
    expect(textOf(card)).toContain("I can't tell which organization this came from");
    expect(textOf(card)).toContain("came without it");
    noCommandRan();
    expectOneCleanWarning(/without both conversation.tenantId and channelData.tenant.id/);
  });

  it("a card click naming another tenant in its conversation changes nothing in either tenant", async () => {
    const task = await store.tasks.upsert(
      makeTask({ id: "halted-cross-tenant", status: "halted", finishedAt: undefined }),
    );
    const click = cardAction("confirm", { taskId: task.id }, ADMIN) as Activity;
    let body: { value: AdaptiveCard } | undefined;
    await adapter
      .send({ ...click, conversation: { ...click.conversation, tenantId: OTHER_TENANT } })
      .assertReply((r) => {
        body = (r.value as { body: typeof body }).body;
      });
    expect(textOf((body as NonNullable<typeof body>).value)).toContain("names two different");
    noCommandRan();
  });

  it("an install with disagreeing tenants keeps no alert channel", async () => {
    const install = installation("add", { teamId: TEAM_ID, person: ADMIN }) as Activity;
    await adapter
      .send({ ...install, channelData: { ...install.channelData, tenant: { id: OTHER_TENANT } } })
      .startTest();
    expect(await store.conversations.get(TENANT, TENANT)).toBeUndefined();
    expect(await store.conversations.get(OTHER_TENANT, OTHER_TENANT)).toBeUndefined();
  });

  it("agreeing tenant ids are used in lower case, as tokens' tenant ids are", async () => {
    await reply(
      withTenants("status", { conversation: TENANT.toUpperCase(), channelData: TENANT.toUpperCase() }),
    );
    expect(sync.called("status")[0]?.args).toEqual([TENANT]);
    expect(logged.filter((l) => l.level === "warn")).toEqual([]);
  });
});
