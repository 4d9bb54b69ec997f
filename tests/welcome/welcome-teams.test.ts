import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WelcomeNoticeDoc } from "../../api/store/documents.ts";
import { welcomeNoticeId } from "../../api/welcome/notices.ts";
import { WelcomeService } from "../../api/welcome/service.ts";
import { createAdapter } from "../../bot/adapter.ts";
import { AlertChannels } from "../../bot/conversations.ts";
import { PersonalMessages } from "../../bot/personal-messages.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { ConnectorStandIn } from "../bot/support/connector-stand-in.ts";
import { silentLogger } from "../bot/support/fixtures.ts";
import { SyncHarness } from "../support/sync-harness.ts";

const T = DEMO_TENANT_ID;
const DOMAIN = "M365x214355.onmicrosoft.com";
const TEAMS_APP_ID = "6f1d8a2b-3c4e-4f50-8a61-7b2c9d0e1f23";
const BOT_ID = "28:directory-sync-bot";

/**
 * Teams notices end to end: the app is installed for each newcomer through the simulated Graph, then the bot
 * opens a 1:1 chat at the local Bot Connector stand-in and posts the notice there.
 */
describe("welcome notices in Teams", () => {
  let h: SyncHarness;
  let welcome: WelcomeService;
  const connector = new ConnectorStandIn();

  beforeAll(async () => {
    h = await SyncHarness.start();
    await connector.start();
    h.sim.directory.grantAppPermissions(T, DEMO_CUSTOMER_APP.clientId, [
      "TeamsAppInstallation.ReadWriteForUser.All",
    ]);
    // The bot was added to the admins' team, so it knows the tenant's service address.
    await h.store.conversations.upsert({
      id: T,
      tenantId: T,
      type: "conversation",
      reference: {
        serviceUrl: connector.serviceUrl,
        channelId: "msteams",
        bot: { id: BOT_ID, name: "Directory Sync" },
        conversation: { id: "19:admins@thread.tacv2", tenantId: T },
      },
      teamId: "19:admins@thread.tacv2",
      channelId: "19:admins@thread.tacv2",
      updatedAt: new Date().toISOString(),
    });
    const adapter = createAdapter({}, silentLogger);
    const channels = new AlertChannels({ conversations: h.store.conversations });
    welcome = new WelcomeService({
      store: h.store,
      graphFor: async (c) => h.credentials.graphFor(c),
      logger: pino({ level: "silent" }),
      owner: "instance-a",
      teamsAppId: TEAMS_APP_ID,
      messenger: new PersonalMessages({ adapter, botAppId: "", channels }),
      spacingMs: { teams: 0 },
    });
    h.bus.subscribe(welcome.listener());
  });
  afterAll(async () => {
    await connector.close();
    await h?.close();
  });

  it("installs the app for each new person (an existing installation is fine) and posts one 1:1 message each", async () => {
    const c = await h.connect({
      welcome: {
        enabled: true,
        channel: "teams",
        appLink: "https://portal.contoso.com",
        subject: "Welcome {firstName}",
        body: "Open {appLink}",
      },
    });
    await h.run(c);
    await welcome.idle();
    expect(connector.calls).toEqual([]);

    const people = [1, 2].map((n) =>
      h.sim.directory.addUser(T, {
        displayName: `Teams Newcomer ${n}`,
        // A name that markdown would turn into a link must arrive as the text it is.
        givenName: n === 1 ? "Tess1" : "[Tess2](https://evil.example)",
        surname: "Newcomer",
        mail: `TessN${n}@${DOMAIN}`,
        userPrincipalName: `TessN${n}@${DOMAIN}`,
      }),
    );
    // The first one already has the app (a policy installed it): Graph answers 409, and the message still goes.
    h.sim.directory.outbox.installations.push({
      tenantId: T,
      userId: people[0]?.id ?? "",
      teamsAppId: TEAMS_APP_ID,
      id: "pre-installed",
      installedBy: "policy",
      at: new Date().toISOString(),
    });
    await h.run(c, "incremental");
    await welcome.idle();

    expect(
      h.sim.directory
        .listUserAppInstallations(T)
        .map((i) => i.userId)
        .sort(),
    ).toEqual(people.map((p) => p.id).sort());
    const created = connector.calls.filter((call) => call.path === "/v3/conversations");
    expect(
      created.map((call) => (call.body.members as { aadObjectId: string }[])[0]?.aadObjectId).sort(),
    ).toEqual(people.map((p) => p.id).sort());
    expect(created[0]?.body).toMatchObject({ isGroup: false, tenantId: T, bot: { id: BOT_ID } });
    // botbuilder posts into the chat it opened, as a reply to the conversation it was handed.
    const posted = connector.calls.filter((call) => /\/activities(\/|$)/.test(call.path));
    expect(posted.map((call) => call.body.text).sort()).toEqual([
      "Welcome Tess1\n\nOpen https://portal.contoso.com",
      "Welcome [Tess2](https://evil.example)\n\nOpen https://portal.contoso.com",
    ]);
    expect(posted.map((call) => call.body.textFormat)).toEqual(["plain", "plain"]);
    for (const p of people) {
      const notice = (await h.store.welcomeNotices.get(
        T,
        welcomeNoticeId(T, c.id, p.id),
      )) as WelcomeNoticeDoc;
      expect(notice).toMatchObject({ status: "sent", channel: "teams", attempts: 1 });
    }
  });

  it("records why a Teams notice failed when the bot may no longer write", async () => {
    const c = await h.connect({
      welcome: { enabled: true, channel: "teams", subject: "Hi {firstName}", body: "Welcome aboard" },
    });
    await h.run(c);
    await welcome.idle();
    const person = h.sim.directory.addUser(T, {
      displayName: "Blocked Newcomer",
      givenName: "Bea",
      surname: "Newcomer",
      mail: `BeaN@${DOMAIN}`,
      userPrincipalName: `BeaN@${DOMAIN}`,
    });
    connector.mode = "blocked";
    await h.run(c, "incremental");
    await welcome.idle();
    connector.mode = "ok";
    const notice = (await h.store.welcomeNotices.get(
      T,
      welcomeNoticeId(T, c.id, person.id),
    )) as WelcomeNoticeDoc;
    expect(notice).toMatchObject({ status: "failed", channel: "teams" });
    expect(notice.detail).toMatch(/^Posting the Teams message failed: /);
  });
});
