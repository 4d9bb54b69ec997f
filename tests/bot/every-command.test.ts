import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Scheduler } from "../../api/scheduler/scheduler.ts";
import type { ConnectionDoc, EventDoc, TaskDoc } from "../../api/store/documents.ts";
import { openStore, type Store } from "../../api/store/store.ts";
import { COMMANDS } from "../../bot/commands/catalog.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID, PRODUCT_APP } from "../../sim/index.ts";
import { type FullStack, pollUntil, startFullStack } from "../support/full-stack.ts";
import { cardAction, installation, message, type Person } from "./support/activities.ts";
import { cardLinks, routeOfLink } from "./support/card-links.ts";
import { ConnectorStandIn } from "./support/connector-stand-in.ts";
import { ADMIN, ADMIN_CHANNEL_ID, READER, TEAM_ID } from "./support/fixtures.ts";
import { cardIssues } from "./support/validate-card.ts";

/** Holds DirectorySync.Admin, the product's app role, and no directory role: an admin in the tab. */
const APP_ROLE_ADMIN: Person = {
  oid: "4782e723-f4f4-4af3-a76e-25e3bab0d896",
  name: "Alex Wilber",
  mri: "29:alex",
};
/** Users the deletion-guard runs remove from Entra ID: 4 of 29 profiles is over the default 10% guard. */
const LEAVERS = ["DiegoS", "EmilyB", "GradyA", "IrvinS"].map((a) => `${a}@M365x214355.onmicrosoft.com`);
const HOUR = 3600_000;

type Card = Record<string, unknown>;
interface ExecuteAction {
  type: string;
  verb?: string;
  data?: Record<string, unknown>;
  title: string;
}

/**
 * The whole chat surface end to end, as Teams drives it: every command typed in the admin channel and every
 * Action.Execute a card offers, posted to the bot endpoint of the process `npm start` runs, over real syncs of
 * the simulated tenant, with a stand-in for the Bot Connector receiving replies and alerts. Every link on every
 * card that comes back must open a page the tab has.
 */
describe("every command and card action through the bot endpoint, as Teams sends them", () => {
  const connector = new ConnectorStandIn();
  const cards: Array<{ what: string; card: Card }> = [];
  const said = new Set<string>();
  const clicked = new Set<string>();
  let s: FullStack;
  let store: Store;
  let admin: string;
  let connectionId: string;

  beforeAll(async () => {
    await connector.start();
    s = await startFullStack();
    admin = await s.adminToken();
    store = await openStore({
      endpoint: s.config.COSMOS_ENDPOINT,
      ...(s.config.COSMOS_KEY ? { key: s.config.COSMOS_KEY } : {}),
      database: s.config.COSMOS_DATABASE,
    });
  });
  afterAll(async () => {
    store?.close();
    await s?.close();
    await connector.close();
  });

  const deliver = (activity: object) =>
    fetch(`${s.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...activity, serviceUrl: connector.serviceUrl }),
    });

  const keep = (what: string, card: Card) => {
    expect(cardIssues(card), what).toEqual([]);
    cards.push({ what, card });
    return card;
  };

  /** Types `text` in the admin channel; the bot's one reply there, as JSON text. */
  const say = async (text: string, person: Person = ADMIN): Promise<string> => {
    said.add(
      text
        .split(" ")
        .slice(0, text.startsWith("sync") || text.startsWith("set") ? 2 : 1)
        .join(" "),
    );
    const from = connector.calls.length;
    const response = await deliver(message(text, person, "channel"));
    expect(response.status).toBe(200);
    const replies = connector
      .cards()
      .filter((c) => connector.calls.indexOf(c.call) >= from && c.call.path !== "/v3/conversations");
    expect(replies, `replies to "${text}"`).toHaveLength(1);
    return JSON.stringify(keep(`reply to ${text}`, (replies[0] as { card: Card }).card));
  };

  /** Clicks an Action.Execute as Teams sends it; the card Teams shows instead, as JSON text. */
  const click = async (action: ExecuteAction, person: Person = ADMIN): Promise<string> => {
    clicked.add(action.verb ?? "");
    const response = await deliver(cardAction(action.verb ?? "", action.data ?? {}, person, "7"));
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { statusCode: number; value: Card };
    expect(answer.statusCode).toBe(200);
    return JSON.stringify(keep(`answer to ${action.title}`, answer.value));
  };

  const actionsOf = (json: string): ExecuteAction[] =>
    ((JSON.parse(json) as { actions?: ExecuteAction[] }).actions ?? []).filter(
      (a) => a.type === "Action.Execute",
    );
  const action = (json: string, title: string): ExecuteAction => {
    const found = actionsOf(json).find((a) => a.title === title);
    if (!found) throw new Error(`no "${title}" button on ${json.slice(0, 400)}`);
    return found;
  };

  /** The refresh Teams sends when a card with `refresh` is shown again. */
  const refreshOf = (json: string): ExecuteAction => {
    const refresh = (JSON.parse(json) as { refresh?: { action: ExecuteAction } }).refresh;
    if (!refresh) throw new Error(`no refresh on ${json.slice(0, 400)}`);
    return { ...refresh.action, title: "refresh" };
  };

  const bySomeone = async (trigger: string, status?: TaskDoc["status"]) =>
    pollUntil(`a ${trigger} task${status ? ` that is ${status}` : ""}`, async () => {
      const tasks = (await s.api(`/api/tasks?trigger=${trigger}`, { token: admin })).body.items as TaskDoc[];
      const newest = tasks[0];
      return newest && (!status || newest.status === status) ? newest : undefined;
    });

  /** Alerts posted as new threads in the alert channel since call number `from`. */
  const alerts = (from: number) =>
    connector
      .cards()
      .filter((c) => c.call.path === "/v3/conversations" && connector.calls.indexOf(c.call) >= from)
      .map((c) => JSON.stringify(keep("alert", c.card)));

  const settledEvent = (kind: EventDoc["kind"], match: (e: EventDoc) => boolean) =>
    pollUntil(`a settled ${kind} event`, async () => {
      const res = await s.api(`/api/events?kind=${kind}`, { token: admin });
      const event = (res.body.items as EventDoc[]).find(match);
      return event && event.delivery?.status !== "pending" ? event : undefined;
    });

  it("before any connection exists, admin commands say there is nothing to sync yet, not 'not an admin'", async () => {
    const install = await deliver(
      installation("add", {
        teamId: TEAM_ID,
        channelId: ADMIN_CHANNEL_ID,
        channelName: "Directory sync admins",
        person: ADMIN,
      }),
    );
    expect(install.status).toBe(200);
    for (const command of ["sync now", "pause"]) {
      const reply = await say(command);
      expect(reply).toContain("No connection yet");
      expect(reply).not.toContain("Only admins");
    }
    expect(await say("status", READER)).toContain("No connection yet");
  });

  it("help shows every command without literal backticks, and its buttons answer", async () => {
    const help = await say("help", READER);
    expect(help).not.toContain("`");
    for (const command of COMMANDS) expect(help).toContain(`**${command.usage.split(/ [<[]/)[0]}**`);
    const [status, history] = [action(help, "Status"), action(help, "History")];
    expect(await click(status, READER)).toContain("No connection yet");
    expect(await click(history, READER)).toContain("No syncs yet");

    const unknown = await say("synk now", READER);
    expect(unknown).toContain("I didn't get that");
    const suggestions = actionsOf(unknown);
    expect(suggestions.map((a) => a.title)).toContain("sync now");
    for (const suggestion of suggestions) expect(await click(suggestion, READER)).not.toContain("didn't get");
  });

  it("a new connection is quiet by default: the channel hears about changes and problems only", async () => {
    // Reading app role assignments needs Directory.Read.All; granted before the first token is issued.
    s.sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, ["Directory.Read.All"]);
    const created = await s.createDemoConnection(admin);
    connectionId = created.body.id;
    expect(created.body.schedule).toMatchObject({ enabled: true, quiet: true });
    const status = await say("status", READER);
    expect(status).toContain("Contoso directory");
    expect(status).toContain("quiet (posts only changes and problems)");
  });

  it("an app-role admin without a directory role runs syncs from chat, as the tab lets him", async () => {
    s.sim.directory.assignAppRole(
      DEMO_TENANT_ID,
      APP_ROLE_ADMIN.oid,
      PRODUCT_APP.clientId,
      "DirectorySync.Admin",
    );
    expect(await say("sync users", READER)).toContain("Only admins can do that");

    const from = connector.calls.length;
    const reply = await say("sync now", APP_ROLE_ADMIN);
    expect(reply).not.toContain("Only admins");
    expect(reply).toContain("Started from chat by Alex Wilber");
    const task = await s.waitForTask((await bySomeone("bot")).id);
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    expect(task.counters.users).toMatchObject({ processed: 40, created: 29, skipped: 11 });

    // Looking at the reply again (Teams' refresh) shows the result: users and lists counted apart.
    const result = await click(refreshOf(reply));
    expect(result).toContain("29 users and 11 lists created.");
    expect(result).toContain("Also 11 users skipped");
    expect(result).toMatch(/"Read from Entra ID".*"40".*"11"/);
    await settledEvent("sync-finished", (e) => e.taskId === task.id);
    expect(alerts(from).filter((a) => a.includes("Sync finished"))).toHaveLength(1);
  });

  it("the other start commands run, and history counts a run without changes as no changes", async () => {
    for (const command of ["sync users", "sync lists", "preview"]) {
      const from = connector.calls.length;
      const reply = await say(command);
      expect(reply, command).not.toContain("Only admins");
      const task = await s.waitForTask((await bySomeone("bot")).id);
      expect(task.status, `${command}: ${JSON.stringify(task.error)}`).toBe("succeeded");
      if (command === "preview") continue;
      // Nothing changed: quiet mode keeps it out of the channel.
      const event = await settledEvent("sync-finished", (e) => e.taskId === task.id);
      expect(event.delivery?.error).toContain("quiet mode");
      expect(alerts(from)).toEqual([]);
    }
    const history = await say("history 4", READER);
    expect(history).toContain("29 users and 11 lists created");
    expect(history).toContain("no changes");
    expect(history).not.toContain("skipped");

    const why = await say("why AdeleV@M365x214355.onmicrosoft.com", READER);
    expect(why).toContain("Adele");
    expect(why).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(why).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(await say("set channel")).toContain("Alerts will be posted here");
  });

  it("pause and resume go through the connections service: scheduled runs stop, then start again", async () => {
    const starts: number[] = [];
    let clock = Date.now();
    const scheduler = new Scheduler({
      store,
      logger: pino({ level: "silent" }),
      now: () => clock,
      startTask: async () => {
        starts.push(clock);
        return { status: "started", taskId: `scheduled-${starts.length}` };
      },
    });
    const hourly = async (hours: number) => {
      for (let hour = 0; hour < hours; hour++) {
        clock += HOUR + 1000;
        await scheduler.tick();
      }
    };

    expect(await say("pause")).toContain("Scheduled syncs paused");
    const paused = (await s.api(`/api/connections/${connectionId}`, { token: admin })).body as ConnectionDoc;
    expect(paused.schedule.enabled).toBe(false);
    expect(paused.updatedBy).toMatchObject({ name: "MOD Administrator" });
    await hourly(3);
    expect(starts).toEqual([]);
    expect(await say("status", READER)).toContain('"value":"Paused"');

    expect(await say("resume")).toContain("Scheduled syncs resumed");
    clock = Date.now();
    await hourly(5);
    expect(starts).toHaveLength(5);
    // Audited as the connections service audits every change, with who did it.
    const audit = (await s.api("/api/audit", { token: admin })).body.items as Array<{
      action: string;
      actor: { name: string };
      changes: Record<string, { from: unknown; to: unknown }>;
    }>;
    // One row per changed property, as the audit log shows it.
    const scheduleChanges = audit.filter(
      (a) => a.action === "connection.update" && a.changes["schedule.enabled"],
    );
    expect(scheduleChanges.map((a) => a.changes["schedule.enabled"]?.to).sort()).toEqual([false, true]);
    expect(scheduleChanges.every((a) => a.actor.name === "MOD Administrator")).toBe(true);
  });

  it("a halted sync: Cancel leaves status saying cancelled, and the card after Confirm says what happens next", async () => {
    for (const upn of LEAVERS) s.sim.directory.softDeleteUser(DEMO_TENANT_ID, upn);
    const halt = async () => {
      const from = connector.calls.length;
      await say("sync now");
      const task = await bySomeone("bot", "halted");
      await settledEvent("sync-halted", (e) => e.taskId === task.id);
      const [card] = alerts(from).filter((a) => a.includes("Sync halted by the deletion guard"));
      expect(card).toBeDefined();
      return { task, card: card as string };
    };

    const first = await halt();
    expect(await say("status", READER)).toContain("Halted: waiting for an admin");
    expect(await click(action(first.card, "Confirm deletions"), READER)).toContain(
      "only Directory Sync admins can confirm deletions",
    );
    const cancelled = await click(action(first.card, "Cancel"));
    expect(cancelled).toContain("Sync cancelled");
    const status = await say("status", READER);
    expect(status).toContain("Cancelled");
    expect(status).not.toContain("Halted");

    const second = await halt();
    const confirmed = await click(action(second.card, "Confirm deletions"));
    expect(confirmed).toContain("Deletions confirmed");
    expect(confirmed).not.toMatch(/halted: \d+/);
    const done = await s.waitForTask(second.task.id);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(done.counters.users).toMatchObject({ deleted: 4 });
    const result = await click({
      type: "Action.Execute",
      verb: "refresh",
      data: { taskId: done.id },
      title: "refresh",
    });
    expect(result).toContain("4 users deleted");
    // 36 users are left in Entra ID; the 4 deleted ones were not read.
    expect(result).toMatch(/"Read from Entra ID".*"36"/);
  });

  it("after the secret expired: one story about the schedule, the credential named, and 'reauthorize first'", async () => {
    s.sim.directory.expireSecret(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    await s.restartApi();
    admin = await s.adminToken();
    const from = connector.calls.length;
    const started = await s.api(`/api/connections/${connectionId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    const task = await s.waitForTask(started.body.id);
    expect(task.status).toBe("failed");
    await settledEvent("needs-reauth", (e) => e.connectionId === connectionId);
    await settledEvent("sync-failed", (e) => e.taskId === task.id);

    const [reauth] = alerts(from).filter((a) => a.includes("Reauthorization needed"));
    expect(reauth).toBeDefined();
    expect(reauth).not.toContain("nobody on record");
    expect(reauth).toContain(`of app ${DEMO_CUSTOMER_APP.clientId}`);
    expect(reauth).toContain("skipped until the connection is reauthorized");
    expect(await say("status", READER)).toContain("skipped until the connection is reauthorized");

    const now = await say("sync now");
    expect(now).toContain("Reauthorize first");
    expect(now).not.toContain("Admin rights could not be checked");
    expect(now).toContain(`/#/connections/${connectionId}/settings`);

    const [failed] = alerts(from).filter((a) => a.includes("Sync failed"));
    expect(await click(action(failed as string, "Retry"))).toContain("Reauthorize first");
  });

  it("every command was typed, every kind of button clicked, and every link opens a page the tab has", () => {
    for (const command of COMMANDS) expect(said, command.name).toContain(command.name);
    const offered = new Set(
      cards.flatMap(({ card }) => [
        ...actionsOf(JSON.stringify(card)).map((a) => a.verb ?? ""),
        ...((card.refresh as { action?: ExecuteAction } | undefined)?.action ? ["refresh"] : []),
      ]),
    );
    for (const verb of offered) expect(clicked, verb).toContain(verb);
    expect([...offered].sort()).toEqual(["cancel", "confirm", "refresh", "retry", "run"]);

    const links = cards.flatMap(({ what, card }) => cardLinks(card).map((link) => ({ what, link })));
    expect(links.length).toBeGreaterThan(10);
    const pages = new Set<string>();
    for (const { what, link } of links) {
      expect(link.startsWith(s.config.publicUrl), `${what}: ${link}`).toBe(true);
      const route = routeOfLink(link);
      expect(route.name, `${what}: ${link}`).not.toBe("not-found");
      pages.add(route.name);
    }
    expect([...pages].sort()).toEqual(["history", "home", "settings", "task"]);
  });
});
