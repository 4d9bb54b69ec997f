import { existsSync } from "node:fs";
import type { Browser, BrowserContext, FrameLocator, Page, Request } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_CUSTOMER_APP,
  DEMO_ORDINARY_USER_ID,
  DEMO_TENANT_ID,
} from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import {
  expectAccessible,
  launchBrowser,
  newContext,
  saveScreenshot,
  waitForScreen,
} from "./support/browser.ts";
import { freePort } from "./support/ports.ts";
import { openInTeams, type TeamsTheme } from "./support/teams-host.ts";

/**
 * The admin tab as Teams runs it: framed by a stand-in for the Teams web client that answers teams-js as
 * Teams does. The tab must take its user from Teams SSO (never its own sign-in), its theme from the Teams
 * context and theme changes, get admin consent through Teams' authentication window, and show readers the
 * read-only view.
 */

const TAB_INDEX = "tab/dist/index.html";
const UI_TIMEOUT = 15_000;
const CONNECTION_NAME = "Contoso directory";
const DELEGATED_NAME = "Contoso as admin";

describe("admin tab inside Teams", () => {
  let stack: FullStack;
  let browser: Browser;
  let context: BrowserContext;
  /** The host page of the running test; the next test closes it. */
  let current: Page | undefined;

  /** The tab as the manifest's static tab opens it, for `userId` with the token `token` issues. */
  async function openAs(userId: string, theme: TeamsTheme, token: () => Promise<string>) {
    await current?.close();
    const user = stack.sim.directory.getUser(DEMO_TENANT_ID, userId);
    const teams = await openInTeams(context, {
      tabUrl: `${stack.url}/index.html#/`,
      user: { tenantId: DEMO_TENANT_ID, userObjectId: user.id, upn: user.userPrincipalName },
      theme,
      token,
    });
    teams.page.setDefaultTimeout(UI_TIMEOUT);
    current = teams.page;
    return { teams, name: user.displayName ?? user.userPrincipalName };
  }

  const themeOf = (tab: FrameLocator) => tab.locator("[data-theme]").first().getAttribute("data-theme");

  /** Relative luminance (0 black … 1 white) of the background behind the tab's screens. */
  const backgroundLuminance = (tab: FrameLocator) =>
    tab.locator("main").evaluate((main) => {
      const rgb = getComputedStyle(main.parentElement as Element).backgroundColor.match(/\d+/g) ?? [];
      const [r = 0, g = 0, b = 0] = rgb.map((c) => Number(c) / 255);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    });

  beforeAll(async () => {
    if (!existsSync(TAB_INDEX))
      throw new Error(
        `${TAB_INDEX} is missing: build the tab first with \`npm run build:tab\` (\`npm test\` does it).`,
      );
    const port = await freePort();
    stack = await startFullStack({ env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}` } });
    // A connection as an admin leaves it after choosing a group, synced once.
    const sales = stack.sim.directory.listGroups(DEMO_TENANT_ID).find((g) => g.displayName === "Sales Team");
    if (!sales) throw new Error("the demo tenant has no Sales Team group");
    const admin = await stack.adminToken();
    const created = await stack.api("/api/connections", {
      token: admin,
      method: "POST",
      json: {
        name: CONNECTION_NAME,
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
        settings: {
          users: { scope: "groups", groupIds: [sales.id] },
          lists: { scope: "ids", groupIds: [sales.id] },
        },
      },
    });
    expect(created.status, created.text).toBe(201);
    const task = await stack.api(`/api/connections/${created.body.id}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    expect(task.status, task.text).toBe(202);
    expect((await stack.waitForTask(task.body.id)).status).toBe("succeeded");
    browser = await launchBrowser();
    // The page's own colour scheme is light: a dark tab can only come from the Teams context.
    context = await newContext(browser, { baseURL: stack.url, theme: "light" });
  });

  // What the browser showed when a step failed, next to the screenshots.
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      if (current) await saveScreenshot(current, `failed-teams-${ctx.task.name.slice(0, 40)}`, "light");
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  it("signs the admin in with Teams SSO and shows the tenant's connections in the Teams theme", async () => {
    const tokens: string[] = [];
    const apiAuth: (string | undefined)[] = [];
    const signInRequests: string[] = [];
    const onRequest = (req: Request) => {
      const url = new URL(req.url());
      if (url.origin !== stack.url) return;
      if (url.pathname.startsWith("/api/")) apiAuth.push(req.headers().authorization);
      if (url.pathname.startsWith("/auth/")) signInRequests.push(req.url());
    };
    context.on("request", onRequest);
    const { teams, name } = await openAs(DEMO_ADMIN_USER_ID, "dark", async () => {
      const token = await stack.adminToken();
      tokens.push(token);
      return token;
    });
    const { tab, page } = teams;

    await tab.getByRole("heading", { name: "Home" }).waitFor();
    await waitForScreen(await teams.tabFrame(), UI_TIMEOUT);
    const card = tab.getByRole("group", { name: CONNECTION_NAME });
    await card.getByText("Users: members of 1 group · Lists: 1 chosen groups").waitFor();
    await card.getByRole("link", { name: /^Users and lists,/ }).waitFor();
    const header = tab.getByRole("banner");
    await header.getByText(name).waitFor();
    await header.getByText("Administrator", { exact: true }).waitFor();
    // Teams owns the session: no sign-in page, no sign-out button, no visit to the API's sign-in.
    expect(await tab.getByRole("heading", { name: "Sign in to Entra Directory Sync" }).count()).toBe(0);
    expect(await tab.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    context.off("request", onRequest);
    expect(signInRequests).toEqual([]);
    // Every API call carries a token Teams handed out.
    expect(apiAuth.length).toBeGreaterThan(0);
    for (const auth of apiAuth) expect(tokens.map((t) => `Bearer ${t}`)).toContain(auth);

    const calls = await teams.calls();
    expect(calls[0]).toBe("initialize");
    expect(calls).toEqual(
      expect.arrayContaining([
        "getContext",
        "appInitialization.success",
        "registerHandler",
        "authentication.getAuthToken",
      ]),
    );

    expect(await themeOf(tab)).toBe("teams-dark");
    expect(await backgroundLuminance(tab)).toBeLessThan(0.2);
    await expectAccessible(page, "Home in Teams (dark)", await teams.tabFrame());
    await saveScreenshot(page, "teams-home", "dark");

    // The user switches Teams to the light theme: the tab follows without a reload.
    await teams.setTheme("default");
    await expect.poll(() => themeOf(tab)).toBe("teams-light");
    expect(await backgroundLuminance(tab)).toBeGreaterThan(0.8);
    await expectAccessible(page, "Home in Teams (light)", await teams.tabFrame());
    await saveScreenshot(page, "teams-home", "light");

    await teams.setTheme("contrast");
    await expect.poll(() => themeOf(tab)).toBe("teams-contrast");
  });

  it("grants admin consent for a new connection in Teams' authentication window", async () => {
    const { teams } = await openAs(DEMO_ADMIN_USER_ID, "default", () => stack.adminToken());
    const { tab } = teams;
    await tab.getByRole("link", { name: "Add connection" }).click();
    await tab.getByRole("radio", { name: /^Sign in and grant admin consent/ }).check();
    await tab.getByRole("button", { name: "Next" }).click();
    await tab.getByLabel("Name").fill(DELEGATED_NAME);
    const [popup] = await Promise.all([
      context.waitForEvent("page"),
      tab.getByRole("button", { name: "Sign in and grant admin consent" }).click(),
    ]);
    popup.setDefaultTimeout(UI_TIMEOUT);
    // Teams opened the window: admin consent, then the sign-in that lets syncs run as the admin.
    await popup.getByRole("heading", { name: "Pick an admin account" }).waitFor();
    await popup.getByRole("button", { name: "Sign in as MOD Administrator" }).first().click();
    await popup.getByRole("button", { name: "Accept" }).click();
    await popup.getByRole("heading", { name: "Pick an account" }).waitFor();
    await popup.getByRole("button", { name: "Sign in as MOD Administrator" }).first().click();
    // The consent-done page reports to Teams through teams-js, and Teams closes the window.
    await popup.waitForEvent("close");
    await tab.getByText("Connection works").waitFor({ timeout: 30_000 });
    const calls = await teams.calls();
    expect(calls).toContain("authentication.authenticate");
    expect(calls).toContain("authentication.authenticate.success");
    const admin = await stack.adminToken();
    const list = await stack.api("/api/connections", { token: admin });
    const delegated = list.body.items.find((c: { name: string }) => c.name === DELEGATED_NAME);
    expect(delegated).toMatchObject({
      kind: "graph-delegated",
      hasSecret: true,
      consent: { adminObjectId: DEMO_ADMIN_USER_ID },
    });
    expect(delegated.consentPending).toBeUndefined();
    // Created without settings, as the wizard does: Home shows it with the default scope.
    await tab.getByRole("link", { name: "Home" }).first().click();
    await tab
      .getByRole("group", { name: DELEGATED_NAME })
      .getByText(/Users: all/)
      .waitFor();
    // The other tests expect the tenant as beforeAll left it.
    const removed = await stack.api(`/api/connections/${delegated.id}?confirm=true&data=remove`, {
      token: admin,
      method: "DELETE",
    });
    expect(removed.status, removed.text).toBeLessThan(300);
  });

  it("shows a reader the connections read-only", async () => {
    const { teams, name } = await openAs(DEMO_ORDINARY_USER_ID, "default", () => stack.readerToken());
    const { tab } = teams;
    const card = tab.getByRole("group", { name: CONNECTION_NAME });
    await card.getByRole("link", { name: /^Users and lists,/ }).waitFor();
    await waitForScreen(await teams.tabFrame(), UI_TIMEOUT);
    const header = tab.getByRole("banner");
    await header.getByText(name).waitFor();
    await header.getByText("Read only", { exact: true }).waitFor();
    expect(await themeOf(tab)).toBe("teams-light");
    // Readers see the connection and its history, but nothing that changes it.
    await card.getByRole("link", { name: "History" }).waitFor();
    expect(await card.getByRole("button", { name: /^Sync now/ }).count()).toBe(0);
    expect(await tab.getByRole("link", { name: "Add connection" }).count()).toBe(0);
    await expectAccessible(teams.page, "Home in Teams (reader)", await teams.tabFrame());
  });
});
