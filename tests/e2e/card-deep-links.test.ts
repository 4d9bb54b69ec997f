import { existsSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLinks } from "../../bot/cards/links.ts";
import { DEMO_ADMIN_USER_ID, DEMO_TENANT_ID } from "../../sim/index.ts";
import { message } from "../bot/support/activities.ts";
import { cardLinks } from "../bot/support/card-links.ts";
import { ConnectorStandIn } from "../bot/support/connector-stand-in.ts";
import { ADMIN } from "../bot/support/fixtures.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { launchBrowser, newContext, saveScreenshot } from "./support/browser.ts";
import { freePort } from "./support/ports.ts";
import { openInTeams } from "./support/teams-host.ts";

const TAB_INDEX = "tab/dist/index.html";
const TEAMS_APP_ID = "8d1c3f5e-2b7a-4c9e-9f10-3a4b5c6d7e8f";
const UI_TIMEOUT = 15_000;

/**
 * A card's button in Teams is a deep link to the app's personal tab: Teams opens the tab and hands it the
 * link's subEntityId as page.subPageId. The tab must open that page, not Home and not "Page not found".
 * The links come from the cards the bot posts after a real sync; the tab runs inside the Teams stand-in.
 */
describe("card links open the page they name in the Teams tab", () => {
  const connector = new ConnectorStandIn();
  let stack: FullStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page | undefined;
  let taskId: string;
  let connectionId: string;

  beforeAll(async () => {
    if (!existsSync(TAB_INDEX))
      throw new Error(`${TAB_INDEX} is missing: build the tab first with \`npm run build:tab\``);
    await connector.start();
    const port = await freePort();
    stack = await startFullStack({
      env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, TEAMS_APP_ID },
    });
    const admin = await stack.adminToken();
    const created = await stack.createDemoConnection(admin);
    connectionId = created.body.id;
    const task = await stack.api(`/api/connections/${connectionId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    taskId = task.body.id;
    expect((await stack.waitForTask(taskId)).status).toBe("succeeded");
    browser = await launchBrowser();
    context = await newContext(browser, { baseURL: stack.url, theme: "light" });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
    await connector.close();
  });

  /** What the bot answers in chat to `text`, with the links on it. */
  async function linksOnReplyTo(text: string): Promise<string[]> {
    const from = connector.calls.length;
    const response = await fetch(`${stack.url}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...message(text, ADMIN, "personal"), serviceUrl: connector.serviceUrl }),
    });
    expect(response.status).toBe(200);
    const reply = connector.cards().find((c) => connector.calls.indexOf(c.call) >= from);
    return cardLinks(reply?.card);
  }

  /** Opens the tab the way Teams does for a deep link; resolves once the page's heading is shown. */
  async function follow(link: string, heading: string, name: string) {
    const url = new URL(link);
    expect(url.origin + url.pathname).toBe(
      `https://teams.microsoft.com/l/entity/${TEAMS_APP_ID}/directory-sync`,
    );
    const { subEntityId } = JSON.parse(url.searchParams.get("context") ?? "{}") as { subEntityId: string };
    await page?.close();
    const user = stack.sim.directory.getUser(DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
    const teams = await openInTeams(context, {
      tabUrl: `${stack.url}/index.html#/`,
      user: { tenantId: DEMO_TENANT_ID, userObjectId: user.id, upn: user.userPrincipalName },
      theme: "default",
      token: () => stack.adminToken(),
      subEntityId,
    });
    page = teams.page;
    page.setDefaultTimeout(UI_TIMEOUT);
    await teams.tab.getByRole("heading", { name: heading, exact: true }).waitFor();
    expect(await teams.tab.getByText("Page not found").count()).toBe(0);
    await saveScreenshot(page, `deep-link-${name}`, "light");
  }

  it("the history card's task and history links open the task's details and History", async () => {
    const links = await linksOnReplyTo("history 1");
    const task = links.find((l) => l.includes(encodeURIComponent(`history/${taskId}`)));
    const history = links.find((l) => l.includes(encodeURIComponent('{"subEntityId":"history"}')));
    expect(task, links.join("\n")).toBeDefined();
    expect(history, links.join("\n")).toBeDefined();
    await follow(task as string, "Sync of Contoso directory", "task");
    await follow(history as string, "History", "history");
  });

  it("a Reauthorize link opens the connection's settings", async () => {
    // The link the reauthorization and failure cards carry, from the bot's own link builder.
    const links = createLinks({ publicUrl: stack.config.publicUrl, teamsAppId: TEAMS_APP_ID });
    await follow(links.connection(connectionId), "Sync settings: Contoso directory", "settings");
  });

  it("the status card's link opens Home", async () => {
    const [home] = await linksOnReplyTo("status");
    await follow(home as string, "Home", "home");
  });
});
