import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT_ID } from "../../sim/index.ts";
import { type AdminSession, startAdminSession, UI_TIMEOUT } from "./support/admin-session.ts";
import {
  ALL_THEMES,
  expectAccessible,
  newContext,
  saveScreenshot,
  type Theme,
  themedUrl,
  waitForScreen,
} from "./support/browser.ts";

/**
 * Every screen of the tab, checked by axe (WCAG 2.2 A/AA and best practices; serious and critical findings
 * fail, except the Fluent focus-sentinel false positive documented in support/browser.ts) in light, dark
 * and high-contrast themes at the two sizes admins use most (1024x768 and 1440x900), each saved as a
 * screenshot under test-results/screenshots/ for a person to look at.
 */

const VIEWPORTS = [
  { width: 1024, height: 768 },
  { width: 1440, height: 900 },
];

interface Screen {
  name: string;
  /** The screen's address (with the hash); `?theme=` is added for each theme. */
  path: () => string;
  /** What shows that the screen has its data, beyond a heading and no spinner. */
  ready?: (page: Page) => Promise<void>;
}

describe("every screen is accessible in every theme at 1024x768 and 1440x900", () => {
  let session: AdminSession;
  let page: Page;
  const ids = { connection: "", task: "", profile: "", list: "", listName: "" };
  const findings: string[] = [];

  /** Axe and a screenshot of `screen` in every theme and size; findings are collected, not thrown at once. */
  async function check(on: Page, screen: Screen) {
    for (const viewport of VIEWPORTS) {
      await on.setViewportSize(viewport);
      for (const theme of ALL_THEMES) {
        const label = `${screen.name} ${viewport.width}x${viewport.height} ${theme}`;
        // Another theme is another query string, so this loads the tab afresh in that theme.
        await on.goto(themedUrl(screen.path(), theme as Theme));
        await waitForScreen(on, UI_TIMEOUT);
        await screen.ready?.(on);
        await on.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        try {
          await expectAccessible(on, label);
        } catch (err) {
          findings.push((err as Error).message);
        }
        await saveScreenshot(on, `all-${screen.name}-${viewport.width}x${viewport.height}`, theme);
      }
    }
  }

  const table = (name: string) => (p: Page) => p.getByRole("table", { name }).first().waitFor();

  beforeAll(async () => {
    session = await startAdminSession();
    page = session.page;
    const connection = await session.createConnection("Contoso directory");
    ids.connection = connection.id;
    const sim = session.stack.sim.directory;
    const someone = sim.listUsers(DEMO_TENANT_ID).find((u) => u.displayName === "Adele Vance");
    await session.runTask(connection.id);
    if (someone) sim.updateUser(DEMO_TENANT_ID, someone.id, { jobTitle: "Head of Marketing" });
    ids.task = (await session.runTask(connection.id)).id;
    const profiles = await session.call<{ items: { id: string }[] }>("GET", "/api/profiles?q=adele");
    const lists = await session.call<{ items: { id: string; name: string }[] }>("GET", "/api/lists");
    ids.profile = profiles.items[0]?.id ?? "";
    ids.list = lists.items[0]?.id ?? "";
    ids.listName = lists.items[0]?.name ?? "";
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    if (findings.length) console.info(findings.join("\n\n"));
  });

  const SCREENS: Screen[] = [
    {
      name: "home",
      path: () => "/#/",
      ready: (p) => p.getByRole("heading", { name: "Contoso directory" }).waitFor(),
    },
    { name: "connect", path: () => "/#/connect" },
    {
      name: "settings",
      path: () => `/#/connections/${ids.connection}/settings`,
      ready: (p) => p.getByRole("tablist", { name: "Settings" }).waitFor(),
    },
    { name: "running", path: () => `/#/run/${ids.task}` },
    { name: "history", path: () => "/#/history", ready: table("Sync history") },
    { name: "task-details", path: () => `/#/history/${ids.task}`, ready: table("Records") },
    { name: "people", path: () => "/#/directory/profiles", ready: table("People") },
    { name: "groups", path: () => "/#/directory/lists", ready: table("Groups") },
    { name: "profile", path: () => `/#/directory/profiles/${ids.profile}` },
    {
      name: "list-members",
      path: () => `/#/directory/lists/${ids.list}?name=${encodeURIComponent(ids.listName)}`,
    },
    { name: "why", path: () => "/#/why?who=AdeleV%40M365x214355.onmicrosoft.com" },
    { name: "audit", path: () => "/#/audit", ready: (p) => p.getByRole("table").first().waitFor() },
    { name: "api-and-webhooks", path: () => "/#/api", ready: table("Latest events") },
    { name: "consent-done", path: () => "/#/consent-done?ok=1" },
    { name: "not-found", path: () => "/#/no-such-page" },
  ];

  for (const screen of SCREENS)
    it(`checks ${screen.name}`, async () => {
      await check(page, screen);
    }, 180_000);

  it("checks each of the settings parts", async () => {
    for (const part of ["Scope", "Mapping", "Deletions", "Schedule", "Welcome notices"])
      await check(page, {
        name: `settings-${part.toLowerCase().replace(" ", "-")}`,
        path: () => `/#/connections/${ids.connection}/settings`,
        ready: (p) => p.getByRole("tab", { name: part }).click(),
      });
  }, 300_000);

  it("checks the sign-in screen, signed out", async () => {
    const signedOut = await newContext(session.browser, { baseURL: session.stack.url });
    try {
      const fresh = await signedOut.newPage();
      await check(fresh, { name: "sign-in", path: () => "/#/" });
    } finally {
      await signedOut.close();
    }
  }, 180_000);

  it("found no serious or critical violation on any screen", () => {
    expect(findings).toEqual([]);
  });
});
