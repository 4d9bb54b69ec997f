import { describe, expect, it } from "vitest";
import { connectionView } from "../../api/app/bot-views.ts";
import { cardActionResponse, cardMessage } from "../../bot/cards/attachment.ts";
import type { AdaptiveCard } from "../../bot/cards/card.ts";
import { helpCard } from "../../bot/cards/help.ts";
import { historyCard } from "../../bot/cards/history.ts";
import { createLinks } from "../../bot/cards/links.ts";
import { noticeCard, problemCard, refusalCard, unknownCommandCard } from "../../bot/cards/notice.ts";
import { adminWarningCard, reauthCard } from "../../bot/cards/reauth.ts";
import { statusCard } from "../../bot/cards/status.ts";
import { syncFailedCard } from "../../bot/cards/sync-failed.ts";
import { syncFinishedCard } from "../../bot/cards/sync-finished.ts";
import { syncHaltedCard } from "../../bot/cards/sync-halted.ts";
import { taskCard } from "../../bot/cards/task.ts";
import { channelSetCard, welcomeCard } from "../../bot/cards/welcome.ts";
import { whyCard } from "../../bot/cards/why.ts";
import { COMMANDS } from "../../bot/commands/catalog.ts";
import { planNotification } from "../../bot/notifications.ts";
import { cardLinks, routeOfLink } from "./support/card-links.ts";
import { counters, links, makeConnection, makeEvent, makeTask } from "./support/fixtures.ts";
import { cardIssues } from "./support/validate-card.ts";

const json = (card: AdaptiveCard) => JSON.stringify(card);
const actionsOf = (card: AdaptiveCard) =>
  (card.actions ?? []).map((a) => ("verb" in a ? `${a.title}:${a.verb}` : `${a.title}:url`));

const halted = makeTask({
  id: "halt-1",
  status: "halted",
  finishedAt: undefined,
  halt: {
    wouldDelete: 130,
    wouldDeactivate: 4,
    sample: ["Adele Vance", "Alex Wilber", "Megan_Bowen*"],
    threshold: "more than 10% of 1,200 profiles",
  },
});

const CARDS: Record<string, AdaptiveCard> = {
  finished: syncFinishedCard(makeTask(), links),
  "finished with errors": syncFinishedCard(
    makeTask({ counters: { users: counters({ processed: 5, errors: 2 }), lists: counters() } }),
    links,
  ),
  "preview finished": syncFinishedCard(makeTask({ taskType: "preview", trigger: "bot" }), links),
  "failed: permission": syncFailedCard(
    makeTask({
      status: "failed",
      error: {
        code: "permission-missing",
        message: "Permission GroupMember.Read.All is missing for the members of group Sales.",
        remedy: "Grant GroupMember.Read.All to the app and grant admin consent, then retry.",
      },
    }),
    links,
  ),
  "failed: auth lost": syncFailedCard(
    makeTask({
      status: "failed",
      error: { code: "auth-lost", message: "Token refused.", remedy: "Reauthorize." },
    }),
    links,
  ),
  "failed: no reason": syncFailedCard(makeTask({ status: "failed" }), links),
  halted: syncHaltedCard(halted, links),
  "halted, decided": syncHaltedCard({ ...halted, status: "cancelled" }, links),
  queued: taskCard(makeTask({ status: "queued", finishedAt: undefined }), links, {
    refreshUserIds: ["29:admin"],
  }),
  running: taskCard(
    makeTask({ status: "running", progress: { phase: "users", processed: 200, total: 400 } }),
    links,
  ),
  cancelled: taskCard(makeTask({ status: "cancelled" }), links, { note: "Cancelled by MOD Administrator." }),
  reauth: reauthCard(
    connectionView(
      makeConnection({
        status: "needs-reauth",
        statusProblem: {
          code: "auth-lost",
          message: "The consenting admin's sign-in was revoked.",
          remedy: "An admin reauthorizes the connection.",
          since: "2025-03-01T07:00:00.000Z",
        },
      }),
    ),
    links,
  ),
  "admin warning": adminWarningCard(
    connectionView(
      makeConnection({
        warning: {
          code: "admin-left",
          message: "admin@M365x214355.onmicrosoft.com no longer holds an admin role.",
          remedy: "Another admin reauthorizes now.",
          since: "2025-02-27T10:00:00.000Z",
        },
      }),
    ),
    links,
  ),
  "admin warning, no consent on record": adminWarningCard(
    connectionView(makeConnection({ consent: undefined })),
    links,
  ),
  status: statusCard(
    {
      connections: [
        makeConnection({
          lastTask: { id: "t", type: "full", status: "succeeded", finishedAt: "2025-03-01T08:02:31Z" },
        }),
        makeConnection({
          id: "c2",
          name: "Paused one",
          schedule: { enabled: false, intervalMinutes: 60, fullEveryHours: 24, quiet: true },
        }),
      ].map(connectionView),
      running: [makeTask({ status: "running", connectionId: "conn-1" })],
    },
    links,
  ),
  "status, no connection": statusCard({ connections: [], running: [] }, links),
  history: historyCard(
    [
      makeTask(),
      makeTask({ id: "t2", status: "failed", error: { code: "x", message: "Broke.", remedy: "Fix." } }),
    ],
    links,
  ),
  "history, empty": historyCard([], links),
  why: whyCard("adele@contoso.com", {
    verdict: "Synced and active.",
    details: ["In scope through Marketing."],
  }),
  "why, no details": whyCard("x@contoso.com", { verdict: "Not in scope.", details: [] }),
  help: helpCard(COMMANDS),
  notice: noticeCard("Scheduled syncs paused", "No sync starts on its own.", { remedy: "Say resume." }),
  problem: problemCard("The sync could not start", {
    code: "c",
    message: "No connection.",
    remedy: "Connect one.",
  }),
  refusal: refusalCard("start a sync", "Adele Vance"),
  unknown: unknownCommandCard("staus", ["status"]),
  "unknown, no suggestion": unknownCommandCard("a".repeat(60), []),
  welcome: welcomeCard({ channelName: "Directory sync admins", personal: false }),
  "welcome elsewhere": welcomeCard({ existingElsewhere: "the General channel", personal: false }),
  "welcome personal": welcomeCard({ personal: true }),
  "channel set": channelSetCard("Directory sync admins"),
};

describe("every card parses as Adaptive Card 1.5 without errors", () => {
  it.each(Object.entries(CARDS))("%s", (_name, card) => {
    expect(card.version).toBe("1.5");
    expect(cardIssues(card)).toEqual([]);
  });

  it("the validator does catch a broken card", () => {
    const broken = {
      ...CARDS.finished,
      body: [
        { type: "TextBlok", text: "x" },
        { type: "TextBlock", txt: "y" },
      ],
    };
    expect(cardIssues(broken).length).toBeGreaterThanOrEqual(2);
  });
});

describe("what the cards say and offer", () => {
  it("sync finished: counters for users and lists and a link to the task page", () => {
    const card = CARDS.finished as AdaptiveCard;
    expect(json(card)).toContain('"type":"Table"');
    expect(json(card)).toContain("Full sync (users and lists)");
    expect(json(card)).toContain("2 min 30 s");
    expect(actionsOf(card)).toEqual(["View details:url"]);
    expect(card.actions?.[0]).toMatchObject({ url: "https://sync.example.test/#/history/task-1" });
  });

  it("sync failed: plain cause and remedy, Retry and View details; Reauthorize when auth was lost", () => {
    const card = CARDS["failed: permission"] as AdaptiveCard;
    expect(json(card)).toContain("A Microsoft Graph permission is missing");
    expect(json(card)).toContain("Grant GroupMember.Read.All");
    expect(actionsOf(card)).toEqual(["Retry:retry", "View details:url"]);
    expect(actionsOf(CARDS["failed: auth lost"] as AdaptiveCard)).toEqual([
      "Reauthorize:url",
      "Retry:retry",
      "View details:url",
    ]);
  });

  it("halted: counts, a sample with markdown escaped, decision buttons and a refresh", () => {
    const card = CARDS.halted as AdaptiveCard;
    expect(json(card)).toContain("delete 130 and deactivate 4");
    expect(json(card)).toContain("Megan\\\\_Bowen\\\\*");
    expect(json(card)).toContain("and 131 more");
    expect(actionsOf(card)).toEqual(["Confirm deletions:confirm", "Cancel:cancel", "View details:url"]);
    expect(card.refresh).toEqual({
      action: { type: "Action.Execute", verb: "refresh", data: { taskId: "halt-1" } },
    });
    expect(actionsOf(CARDS["halted, decided"] as AdaptiveCard)).toEqual(["View details:url"]);
  });

  it("a started sync refreshes for the requester until it is over", () => {
    expect(CARDS.queued?.refresh?.userIds).toEqual(["29:admin"]);
    expect(actionsOf(CARDS.queued as AdaptiveCard)).toEqual(["Cancel:cancel", "View details:url"]);
    expect(CARDS.cancelled?.refresh).toBeUndefined();
  });

  it("reauthorization and early warning: who authorized, since when, and a Reauthorize link", () => {
    for (const card of [CARDS.reauth, CARDS["admin warning"]] as AdaptiveCard[]) {
      expect(json(card)).toContain("admin@M365x214355.onmicrosoft.com");
      expect(json(card)).toContain("2025-01-10 09:30 UTC");
      expect(card.actions?.[0]).toMatchObject({
        title: "Reauthorize",
        url: "https://sync.example.test/#/connections/conn-1/settings",
      });
    }
    expect(json(CARDS.reauth as AdaptiveCard)).toContain("2025-03-01 07:00 UTC");
  });

  it("wraps cards as message attachments and as Universal Action responses", () => {
    const message = cardMessage(CARDS.help as AdaptiveCard);
    expect(message.attachments[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(cardActionResponse(CARDS.help as AdaptiveCard)).toMatchObject({
      statusCode: 200,
      type: "application/vnd.microsoft.card.adaptive",
    });
  });
});

describe("links", () => {
  it("opens the web app at the tab's own addresses without a Teams app id", () => {
    const l = createLinks({ publicUrl: "https://sync.example.test/" });
    expect(l.task("a b")).toBe("https://sync.example.test/#/history/a%20b");
    expect(l.tasks()).toBe("https://sync.example.test/#/history");
    expect(l.connection("c1")).toBe("https://sync.example.test/#/connections/c1/settings");
    expect(l.home()).toBe("https://sync.example.test/#/");
  });

  it("builds a Teams deep link to the personal tab with the page as subEntityId", () => {
    const l = createLinks({
      publicUrl: "https://sync.example.test",
      teamsAppId: "11111111-2222-3333-4444-555555555555",
    });
    const url = new URL(l.task("t1"));
    expect(url.origin + url.pathname).toBe(
      "https://teams.microsoft.com/l/entity/11111111-2222-3333-4444-555555555555/directory-sync",
    );
    expect(JSON.parse(url.searchParams.get("context") ?? "{}")).toEqual({ subEntityId: "history/t1" });
    expect(url.searchParams.get("webUrl")).toBe("https://sync.example.test/#/history/t1");
    expect(l.task("t1")).not.toContain("+");
  });

  it("every link any card carries opens a page the tab has, in the browser and inside Teams", () => {
    const inTeams = createLinks({
      publicUrl: "https://sync.example.test",
      teamsAppId: "11111111-2222-3333-4444-555555555555",
    });
    const teamsCards = [
      syncFinishedCard(makeTask(), inTeams),
      syncFailedCard(
        makeTask({ status: "failed", error: { code: "auth-lost", message: "m", remedy: "r" } }),
        inTeams,
      ),
      syncHaltedCard(halted, inTeams),
      historyCard([makeTask()], inTeams),
      statusCard({ connections: [connectionView(makeConnection())], running: [] }, inTeams),
      reauthCard(connectionView(makeConnection({ status: "needs-reauth" })), inTeams),
    ];
    const found = [...Object.values(CARDS), ...teamsCards].flatMap(cardLinks);
    expect(found.length).toBeGreaterThan(15);
    const pages = new Set<string>();
    for (const url of found) {
      const route = routeOfLink(url);
      expect(route.name, url).not.toBe("not-found");
      pages.add(route.name);
    }
    // Task details, history, connection settings and home: every kind of link the cards make.
    expect([...pages].sort()).toEqual(["history", "home", "settings", "task"]);
  });
});

describe("which events are posted", () => {
  const quiet = connectionView(
    makeConnection({
      schedule: { enabled: true, intervalMinutes: 60, fullEveryHours: 24, quiet: true },
    }),
  );
  const unchanged = makeTask({
    counters: { users: counters({ processed: 10, unchanged: 10 }), lists: counters() },
  });

  it("quiet mode skips a sync that changed nothing, but not one that changed or failed", () => {
    const finished = makeEvent({ kind: "sync-finished", taskId: unchanged.id });
    expect(planNotification({ event: finished, task: unchanged, connection: quiet }, links)).toEqual({
      skip: "quiet mode is on and the sync changed nothing",
    });
    expect("post" in planNotification({ event: finished, task: makeTask(), connection: quiet }, links)).toBe(
      true,
    );
    expect(
      "post" in
        planNotification(
          { event: finished, task: unchanged, connection: connectionView(makeConnection()) },
          links,
        ),
    ).toBe(true);
    const failed = makeEvent({ kind: "sync-failed" });
    expect(
      "post" in
        planNotification(
          { event: failed, task: { ...unchanged, status: "failed" }, connection: quiet },
          links,
        ),
    ).toBe(true);
  });

  it("never posts delivery failures (the notifier must not feed itself)", () => {
    expect(planNotification({ event: makeEvent({ kind: "delivery-failed" }) }, links)).toHaveProperty("skip");
  });

  it("falls back to the event's own summary when the task or connection is gone", () => {
    const plan = planNotification(
      {
        event: makeEvent({ kind: "needs-reauth", problem: { code: "auth-lost", message: "M", remedy: "R" } }),
      },
      links,
    );
    expect("post" in plan && cardIssues(plan.post)).toEqual([]);
    expect(json("post" in plan ? plan.post : ({} as AdaptiveCard))).toContain("Event needs-reauth");
  });
});
