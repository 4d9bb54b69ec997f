import { existsSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP, DEMO_ORDINARY_USER_ID, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { withholdAppPermission } from "../support/sim.ts";
import {
  expectAccessible,
  launchBrowser,
  newContext,
  saveScreenshot,
  themedUrl,
  waitForScreen,
} from "./support/browser.ts";
import { freePort } from "./support/ports.ts";

/**
 * Home tells an admin, per connection, whether changes in Entra arrive live (Graph change notifications)
 * or only on the schedule, and why: here a missing Group.Read.All, then live once it is granted.
 */
const UI_TIMEOUT = 15_000;

describe("live updates on the Home screen", () => {
  let stack: FullStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let restore: () => void;

  beforeAll(async () => {
    if (!existsSync("tab/dist/index.html"))
      throw new Error("tab/dist is missing: run `npm run build:tab` first.");
    const port = await freePort();
    stack = await startFullStack({
      env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, LIVE_UPDATES: "true" },
      start: { liveSync: { quietMs: 200, maxDelayMs: 1000, maintainEveryMs: 500 } },
    });
    browser = await launchBrowser();
    context = await newContext(browser, { baseURL: stack.url });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
    await page.goto("/");
    await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
    await page.getByRole("button", { name: "Sign in as MOD Administrator" }).first().click();
    await page.getByRole("heading", { name: "Home" }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  it("says 'Schedule only' with the reason when Graph refuses a subscription", async () => {
    restore = withholdAppPermission(stack.sim, "Group.Read.All");
    const token = await stack.adminToken();
    const created = await stack.api("/api/connections", {
      token,
      method: "POST",
      json: {
        name: "Contoso",
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
      },
    });
    await page.reload();
    await page.getByRole("button", { name: /^Sync now/ }).click();
    await page.getByRole("menuitem", { name: "Sync users and lists" }).click();
    await page.waitForURL(/#\/run\//);
    await page.getByRole("status").getByText("Succeeded", { exact: true }).waitFor({ timeout: 30_000 });
    await expect
      .poll(
        async () =>
          (await stack.api(`/api/connections/${created.body.id}/live`, { token })).body.problem?.code,
      )
      .toBe("permission-missing");
    await page.goto("/");
    await waitForScreen(page);
    await page.getByText("Schedule only").waitFor();
    await page.getByText(/need the Group\.Read\.All permission/).waitFor();
    await expectAccessible(page, "home schedule only");
    await saveScreenshot(page, "home-schedule-only", "light");
  }, 60_000);

  it("says 'Live' once subscribed, then the time of the last change from Entra", async () => {
    restore();
    await page.goto("/");
    await expect
      .poll(
        async () => {
          await page.reload();
          await waitForScreen(page);
          return page.getByText("Live", { exact: true }).isVisible();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe(true);
    await page.getByText("no change from Entra yet").waitFor();
    stack.sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Seen live" });
    await expect
      .poll(
        async () => {
          await page.reload();
          await waitForScreen(page);
          return page.getByText(/last change from Entra/).isVisible();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBe(true);
    await expectAccessible(page, "home live");
    await saveScreenshot(page, "home-live", "light");
    await page.goto(themedUrl("/", "dark"));
    await waitForScreen(page);
    await page.getByText(/last change from Entra/).waitFor();
    await saveScreenshot(page, "home-live", "dark");
  }, 60_000);
});
