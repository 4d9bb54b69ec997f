import { type Activity, TestAdapter } from "botbuilder";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Store } from "../../api/store/store.ts";
import type { AdaptiveCard } from "../../bot/cards/card.ts";
import { AlertChannels } from "../../bot/conversations.ts";
import { DirectorySyncBot } from "../../bot/teams-bot.ts";
import { startTestStore } from "../support/stack.ts";
import { cardAction, cardOf, installation, message, type Person, textOf } from "./support/activities.ts";
import { FakeSync } from "./support/fake-sync.ts";
import {
  ADMIN,
  ADMIN_CHANNEL_ID,
  links,
  makeTask,
  READER,
  silentLogger,
  TEAM_ID,
  TENANT,
} from "./support/fixtures.ts";
import { cardIssues } from "./support/validate-card.ts";

let stack: Awaited<ReturnType<typeof startTestStore>>;
let store: Store;
let sync: FakeSync;
let adapter: TestAdapter;

beforeAll(async () => {
  stack = await startTestStore();
  store = stack.store;
});
afterAll(async () => {
  await stack?.close();
});

beforeEach(async () => {
  sync = new FakeSync(store);
  sync.admins.add(ADMIN.oid);
  await store.conversations.delete(TENANT, TENANT);
  const bot = new DirectorySyncBot({
    records: store,
    sync,
    channels: new AlertChannels(store),
    links,
    logger: silentLogger,
  });
  adapter = new TestAdapter(async (context) => bot.run(context));
});

/** Sends one activity and returns the card the bot answered with, checked against the card schema. */
async function ask(activity: Partial<Activity>): Promise<AdaptiveCard> {
  let card: AdaptiveCard | undefined;
  await adapter.send(activity).assertReply((reply) => {
    card = cardOf(reply);
  });
  const answer = card as AdaptiveCard;
  expect(cardIssues(answer)).toEqual([]);
  return answer;
}

const say = (text: string, who: Person = ADMIN, where: "channel" | "personal" = "channel") =>
  ask(message(text, who, where));

/** Sends a card action and returns the Universal Actions response body. */
async function click(verb: string, data: Record<string, unknown>, who: Person = ADMIN) {
  let body: { statusCode: number; type: string; value: AdaptiveCard } | undefined;
  await adapter.send(cardAction(verb, data, who)).assertReply((reply) => {
    expect(reply.type).toBe("invokeResponse");
    const value = reply.value as { status: number; body: typeof body };
    expect(value.status).toBe(200);
    body = value.body;
  });
  const response = body as NonNullable<typeof body>;
  expect(response.type).toBe("application/vnd.microsoft.card.adaptive");
  expect(cardIssues(response.value)).toEqual([]);
  return response.value;
}

describe("read commands: anyone in the channel", () => {
  it("help lists every command", async () => {
    const card = await say("help", READER);
    for (const command of [
      "sync now",
      "sync users",
      "sync lists",
      "preview",
      "status",
      "history** _n_",
      "why** _email or UPN_",
      "pause",
      "resume",
      "set channel",
    ])
      expect(textOf(card)).toContain(command);
    // Teams' card markdown has no inline code: backticks would show as they are.
    expect(textOf(card)).not.toContain("`");
  });

  it("status shows the connections without asking for admin rights", async () => {
    const card = await say("STATUS", READER);
    expect(textOf(card)).toContain("Contoso Entra");
    expect(sync.called("status")).toHaveLength(1);
    expect(sync.called("isAdmin")).toHaveLength(0);
  });

  it("history [n] asks for n syncs", async () => {
    const card = await say("history 2", READER, "personal");
    expect(sync.called("history")[0]?.args).toEqual([TENANT, 2]);
    expect(textOf(card)).toContain("Last 2 syncs");
    expect(textOf(card)).toContain("Permission GroupMember.Read.All is missing.");
    await say("history", READER);
    expect(sync.called("history")[1]?.args).toEqual([TENANT, 5]);
  });

  it("why <email> explains, also when Teams linked the address", async () => {
    const card = await say(
      'why <a href="mailto:adele.vance@contoso.com">adele.vance@contoso.com</a>',
      READER,
    );
    expect(sync.called("why")[0]?.args).toEqual([TENANT, "adele.vance@contoso.com"]);
    expect(textOf(card)).toContain("is synced and active");
    expect(textOf(await say("why", READER))).toContain("Tell me who");
  });

  it("a typo gets suggestions as buttons", async () => {
    const card = await say("staus", READER);
    expect(textOf(card)).toContain("Did you mean **status**");
    expect(card.actions?.[0]).toMatchObject({
      type: "Action.Execute",
      verb: "run",
      data: { command: "status" },
    });
  });

  it("just the mention answers with help", async () => {
    expect(textOf(await say("", READER))).toContain("What I can do");
  });
});

describe("commands that change things: admins only", () => {
  it.each([
    ["sync now", "full"],
    ["Sync Users", "users"],
    ["sync lists", "lists"],
    ["preview", "preview"],
  ])("%s starts a %s run and answers with a card that refreshes into the result", async (text, type) => {
    const card = await say(text);
    expect(sync.called("startTask")[0]?.args).toEqual([
      TENANT,
      undefined,
      { type, trigger: "bot", requestedBy: { oid: ADMIN.oid, name: ADMIN.name } },
    ]);
    expect(textOf(card)).toContain("Sync queued");
    expect(card.refresh).toMatchObject({ action: { verb: "refresh" }, userIds: [ADMIN.mri] });
  });

  it.each(["sync now", "sync users", "preview", "pause", "resume", "set channel"])(
    "%s is politely refused for someone who is not an admin",
    async (text) => {
      const card = await say(text, READER);
      expect(textOf(card)).toContain("Only admins can do that");
      expect(textOf(card)).toContain("Adele Vance");
      expect(sync.called("startTask")).toHaveLength(0);
      expect(sync.called("setSchedulePaused")).toHaveLength(0);
    },
  );

  it("says which task is already running", async () => {
    sync.startAnswer = "alreadyRunning";
    const card = await say("sync now");
    expect(textOf(card)).toContain("already running");
    expect(textOf(card)).toContain("started-1");
  });

  it("passes on the service's refusal with its remedy", async () => {
    sync.startAnswer = "problem";
    const card = await say("sync now");
    expect(textOf(card)).toContain("This tenant has no connection yet.");
    expect(textOf(card)).toContain("connects the tenant");
  });

  it("pause and resume the schedule", async () => {
    expect(textOf(await say("pause"))).toContain("Scheduled syncs paused");
    expect(sync.paused).toBe(true);
    expect(textOf(await say("resume"))).toContain("Scheduled syncs resumed");
    expect(sync.paused).toBe(false);
  });

  it("explains a refusal thrown by the service, and hides internal errors", async () => {
    sync.setSchedulePaused = async () => {
      throw Object.assign(new Error("The schedule is locked by an update in progress."), {
        code: "conflict",
        remedy: "Try again in a moment.",
      });
    };
    const refused = await say("pause");
    expect(textOf(refused)).toContain("locked by an update");
    expect(textOf(refused)).toContain("Try again in a moment.");
    sync.status = async () => {
      throw new Error("ECONNRESET cosmos://secret-host");
    };
    const broken = await say("status", READER);
    expect(textOf(broken)).toContain("Something went wrong on our side");
    expect(textOf(broken)).not.toContain("secret-host");
  });

  it("set channel makes this channel the alert channel; in a personal chat it explains where to say it", async () => {
    const card = await say("set channel");
    expect(textOf(card)).toContain("Directory sync admins");
    const doc = await store.conversations.get(TENANT, TENANT);
    expect(doc).toMatchObject({
      teamId: TEAM_ID,
      channelId: ADMIN_CHANNEL_ID,
      channelName: "Directory sync admins",
    });
    expect(doc?.reference.conversation).toMatchObject({ id: ADMIN_CHANNEL_ID });
    expect(doc?.reference.serviceUrl).toBe("https://smba.example.test/emea/");
    expect(textOf(await say("set channel", ADMIN, "personal"))).toContain("Say that in a channel");
  });
});

describe("card actions (Universal Actions)", () => {
  const haltedTask = () =>
    makeTask({
      id: `halted-${Math.random().toString(36).slice(2, 8)}`,
      status: "halted",
      finishedAt: undefined,
      halt: { wouldDelete: 40, wouldDeactivate: 0, sample: ["Alex Wilber"], threshold: "25 profiles" },
    });

  it("refresh answers with the task's current card", async () => {
    const task = await store.tasks.upsert(makeTask({ id: "refresh-me" }));
    const card = await click("refresh", { taskId: task.id }, READER);
    expect(textOf(card)).toContain("Sync finished");
  });

  it("confirm by an admin continues the run and updates the message for everyone", async () => {
    const task = await store.tasks.upsert(haltedTask());
    const update = vi.spyOn(adapter, "updateActivity");
    const card = await click("confirm", { taskId: task.id });
    expect(sync.called("confirmTask")[0]?.args).toEqual([
      TENANT,
      task.id,
      { oid: ADMIN.oid, name: ADMIN.name },
    ]);
    expect(textOf(card)).toContain("Deletions confirmed by MOD Administrator");
    expect(card.refresh?.action.data).toEqual({ taskId: task.id });
    expect(update).toHaveBeenCalledTimes(1);
    expect(update.mock.calls[0]?.[1]).toMatchObject({ id: "card-message-1", type: "message" });
  });

  it("cancel by an admin stops the run", async () => {
    const task = await store.tasks.upsert(haltedTask());
    const card = await click("cancel", { taskId: task.id });
    expect(sync.called("cancelTask")).toHaveLength(1);
    expect(textOf(card)).toContain("Sync cancelled");
    expect(textOf(card)).toContain("Nothing was deleted");
  });

  it("confirm by someone else is refused and changes nothing", async () => {
    const task = await store.tasks.upsert(haltedTask());
    const update = vi.spyOn(adapter, "updateActivity");
    const card = await click("confirm", { taskId: task.id }, READER);
    expect(textOf(card)).toContain("only Directory Sync admins can confirm deletions");
    expect(textOf(card)).toContain("Confirm deletions");
    expect(sync.called("confirmTask")).toHaveLength(0);
    expect(update).not.toHaveBeenCalled();
  });

  it("a second decision on a decided task says so instead of acting", async () => {
    const task = await store.tasks.upsert(makeTask({ id: "decided", status: "cancelled" }));
    const card = await click("confirm", { taskId: task.id });
    expect(textOf(card)).toContain("already decided");
    expect(sync.called("confirmTask")).toHaveLength(0);
  });

  it("retry starts the failed run again on the same connection", async () => {
    const task = await store.tasks.upsert(
      makeTask({ id: "failed-1", status: "failed", taskType: "users", connectionId: "conn-9" }),
    );
    const card = await click("retry", { taskId: task.id, connectionId: "conn-9" });
    expect(sync.called("startTask")[0]?.args).toEqual([
      TENANT,
      "conn-9",
      { type: "users", trigger: "bot", requestedBy: { oid: ADMIN.oid, name: ADMIN.name } },
    ]);
    expect(textOf(card)).toContain("Retried by MOD Administrator");
    expect(textOf(await click("retry", { taskId: task.id }, READER))).toContain("only Directory Sync admins");
  });

  it("a suggestion button runs its command", async () => {
    const card = await click("run", { command: "status" }, READER);
    expect(textOf(card)).toContain("Directory sync status");
  });

  it("an unknown task or verb gets an explanation", async () => {
    expect(textOf(await click("refresh", { taskId: "nope" }))).toContain("This sync is gone");
    expect(textOf(await click("explode", {}))).toContain("out of date");
  });
});

describe("installation: where alerts go", () => {
  const OTHER_TEAM = "19:other-team@thread.tacv2";

  it("on install into a team, keeps the channel it was added in and says so", async () => {
    const card = await ask(
      installation("add", {
        teamId: TEAM_ID,
        channelId: ADMIN_CHANNEL_ID,
        channelName: "Directory sync admins",
        person: ADMIN,
      }),
    );
    expect(textOf(card)).toContain("the Directory sync admins channel");
    const doc = await store.conversations.get(TENANT, TENANT);
    expect(doc).toMatchObject({
      teamId: TEAM_ID,
      channelId: ADMIN_CHANNEL_ID,
      installedBy: { oid: ADMIN.oid, name: ADMIN.name },
      reference: {
        serviceUrl: "https://smba.example.test/emea/",
        conversation: { id: ADMIN_CHANNEL_ID, tenantId: TENANT },
      },
    });
  });

  it("a second team does not take the alerts over silently; an upgrade keeps the channel", async () => {
    await ask(
      installation("add", {
        teamId: TEAM_ID,
        channelId: ADMIN_CHANNEL_ID,
        channelName: "Directory sync admins",
        person: ADMIN,
      }),
    );
    const card = await ask(installation("add", { teamId: OTHER_TEAM, person: ADMIN }));
    expect(textOf(card)).toContain("keep going to the Directory sync admins channel");
    expect((await store.conversations.get(TENANT, TENANT))?.teamId).toBe(TEAM_ID);

    await adapter.send(
      installation("add-upgrade", {
        teamId: TEAM_ID,
        serviceUrl: "https://smba.example.test/amer/",
        person: ADMIN,
      }),
    );
    const doc = await store.conversations.get(TENANT, TENANT);
    expect(doc?.channelId).toBe(ADMIN_CHANNEL_ID);
    expect(doc?.reference.serviceUrl).toBe("https://smba.example.test/amer/");
  });

  it("removal forgets the alert channel only when it was in that team", async () => {
    await ask(installation("add", { teamId: TEAM_ID, channelId: ADMIN_CHANNEL_ID, person: ADMIN }));
    await adapter.send(installation("remove", { teamId: OTHER_TEAM, person: ADMIN }));
    expect(await store.conversations.get(TENANT, TENANT)).toBeDefined();
    await adapter.send(installation("remove", { teamId: TEAM_ID, person: ADMIN }));
    expect(await store.conversations.get(TENANT, TENANT)).toBeUndefined();
  });

  it("a bot joining a team by conversationUpdate (older clients) also keeps the channel, silently", async () => {
    const joined = {
      ...installation("add", { teamId: TEAM_ID, person: ADMIN }),
      type: "conversationUpdate",
      action: undefined,
      membersAdded: [{ id: "28:directory-sync-bot" }],
      channelData: { tenant: { id: TENANT }, team: { id: TEAM_ID }, eventType: "teamMemberAdded" },
    } as Partial<Activity>;
    await adapter.send(joined).startTest();
    expect(await store.conversations.get(TENANT, TENANT)).toMatchObject({
      teamId: TEAM_ID,
      channelId: TEAM_ID,
    });
  });

  it("a personal install is used until the bot joins a team", async () => {
    const card = await ask(installation("add", { person: ADMIN }));
    expect(textOf(card)).toContain("Until I'm added to a team");
    expect((await store.conversations.get(TENANT, TENANT))?.teamId).toBeUndefined();
    await ask(installation("add", { teamId: TEAM_ID, person: ADMIN }));
    expect(await store.conversations.get(TENANT, TENANT)).toMatchObject({
      teamId: TEAM_ID,
      channelName: "General",
    });
  });
});
