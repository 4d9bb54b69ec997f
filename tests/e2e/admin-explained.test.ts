import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TaskDoc } from "../../api/store/documents.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { launchBrowser, newContext, saveScreenshot, waitForScreen } from "./support/browser.ts";
import { freePort } from "./support/ports.ts";

/**
 * What a new admin reads in the tab, at 1024x768 as on a small laptop: the audit log, a sync's records (old
 * and new values, who joined and left a list, links to the profile and to "why"), a throttled sync, the
 * "why" screen's people picker, list members' job titles, and no text running over its neighbour anywhere.
 */

const TAB_INDEX = "tab/dist/index.html";
const UI_TIMEOUT = 15_000;
const T = DEMO_TENANT_ID;
const SMALL = { width: 1024, height: 768 };

/**
 * Table cells whose content reaches past the cell into the next column: the "email over Job title" a
 * person sees. Each offending cell is named by its column header and text.
 */
async function overlappingCells(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const cell of document.querySelectorAll<HTMLElement>("main td, main th")) {
      const box = cell.getBoundingClientRect();
      for (const el of cell.querySelectorAll<HTMLElement>("*")) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.right > box.right + 1 || r.left < box.left - 1) {
          const table = cell.closest("table");
          const index = (cell as HTMLTableCellElement).cellIndex;
          const header = table?.querySelectorAll("th")[index]?.textContent ?? `column ${index + 1}`;
          found.push(
            `${table?.getAttribute("aria-label") ?? "table"} / ${header}: "${el.textContent?.slice(0, 60)}"`,
          );
          break;
        }
      }
    }
    return [...new Set(found)];
  });
}

describe("what the tab explains (1024x768)", () => {
  let stack: FullStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let connectionId = "";
  let csrf = "";

  const user = (name: string) => {
    const u = stack.sim.directory.listUsers(T).find((x) => x.displayName === name);
    if (!u) throw new Error(`no user ${name}`);
    return u;
  };
  const group = (name: string) => {
    const g = stack.sim.directory.listGroups(T).find((x) => x.displayName === name);
    if (!g) throw new Error(`no group ${name}`);
    return g;
  };

  /** Calls the API with the browser's own session, as the tab does (CSRF header on writes). */
  async function call<T>(
    method: "GET" | "POST" | "PATCH",
    path: string,
    data?: unknown,
    ifMatch?: string,
  ): Promise<T> {
    const res = await page.request.fetch(path, {
      method,
      headers: { "X-CSRF-Token": csrf, ...(ifMatch ? { "If-Match": ifMatch } : {}) },
      ...(data === undefined ? {} : { data }),
    });
    expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
    return (await res.json()) as T;
  }
  async function sync(): Promise<TaskDoc> {
    const task = await call<TaskDoc>("POST", `/api/connections/${connectionId}/tasks`, { type: "full" });
    return stack.waitForTask(task.id);
  }
  async function show(hash: string): Promise<void> {
    await page.goto(`/index.html${hash}`);
    await waitForScreen(page, UI_TIMEOUT);
  }
  async function expectNoOverlap(screen: string): Promise<void> {
    await saveScreenshot(page, `small-${screen}`, "light");
    expect(await overlappingCells(page), screen).toEqual([]);
  }

  beforeAll(async () => {
    if (!existsSync(TAB_INDEX))
      throw new Error(`${TAB_INDEX} is missing: build the tab first with \`npm run build:tab\`.`);
    const port = await freePort();
    stack = await startFullStack({ env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}` } });
    browser = await launchBrowser();
    context = await newContext(browser, { baseURL: stack.url, viewport: SMALL });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
    await page.goto("/");
    await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
    await page.getByRole("button", { name: "Sign in as MOD Administrator" }).first().click();
    await page.getByRole("heading", { name: "Home" }).waitFor();
    csrf = (await call<{ csrfToken: string }>("GET", "/api/me")).csrfToken;
    const created = await call<{ id: string }>("POST", "/api/connections", {
      name: "Contoso",
      kind: "graph-app",
      clientId: DEMO_CUSTOMER_APP.clientId,
      clientSecret: DEMO_CUSTOMER_APP.clientSecret,
    });
    connectionId = created.id;
    expect((await sync()).status).toBe("succeeded");
  });

  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      if (page) await saveScreenshot(page, `failed-${ctx.task.name.slice(0, 40)}`, "light").catch(() => {});
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  it("a sync's records show old and new values, who left a list, and link to the profile and to why", async () => {
    stack.sim.directory.updateUser(T, user("Adele Vance").id, { jobTitle: "Head of Marketing" });
    stack.sim.directory.removeMember(T, group("Sales EMEA").id, user("Irvin Sayers").id);
    const task = await sync();
    expect(task.status).toBe("succeeded");

    await show(`#/history/${task.id}`);
    const records = page.getByRole("table", { name: "Records" });
    const adele = records.getByRole("row").filter({ hasText: "Adele Vance" });
    await adele.getByText("Job title: Product Marketing Manager → Head of Marketing").waitFor();
    const emea = records.getByRole("row").filter({ hasText: "Sales EMEA" });
    await emea.getByText("Removed:").waitFor();
    await emea.getByRole("link", { name: "Irvin Sayers" }).waitFor();
    await expectNoOverlap("task-details");

    await adele.getByRole("link", { name: "Why: Adele Vance" }).click();
    await page.waitForURL(/#\/why\?who=/);
    await page.getByText("is synced", { exact: false }).first().waitFor();
    await page.goBack();
    await page
      .getByRole("table", { name: "Records" })
      .getByRole("link", { name: "Adele Vance" })
      .first()
      .click();
    await page.waitForURL(/#\/directory\/profiles\//);
    await page.getByRole("heading", { name: "Adele Vance" }).waitFor();
  });

  it("the audit log shows the changed property with its old and new value, filters it and exports it", async () => {
    const current = await call<{ etag: string; settings: { deletionGuard: { maxCount: number } } }>(
      "GET",
      `/api/connections/${connectionId}`,
    );
    const settings = structuredClone(current.settings);
    settings.deletionGuard.maxCount = 3;
    await call("PATCH", `/api/connections/${connectionId}`, { settings }, current.etag);

    await show("#/audit");
    const log = page.getByRole("table", { name: "Audit log" });
    const change = log.getByRole("row").filter({ hasText: "Changed connection" });
    await change.getByText("Deletion guard › Max deletions").waitFor();
    await change.getByText("50 → 3").waitFor();
    expect(await log.textContent()).not.toMatch(/_etag|_ts|connection\.update/);
    await expectNoOverlap("audit");

    await page.getByRole("combobox", { name: "Action" }).click();
    await page.getByRole("option", { name: "Created connection" }).click();
    await log.getByRole("row").filter({ hasText: "Created connection" }).first().waitFor();
    await expect(log.getByRole("row").filter({ hasText: "Changed connection" }).count()).resolves.toBe(0);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^audit-\d{4}-\d{2}-\d{2}-filtered\.csv$/);
    const bytes = await readFile(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString("utf8")).toContain("connection.create");
    expect(bytes.toString("utf8")).not.toContain("connection.update");
  });

  it("a throttled sync says it is throttled while it waits", async () => {
    stack.sim.directory.injectFault({
      pathPattern: "^/v1.0/users",
      status: 429,
      code: "TooManyRequests",
      retryAfterSeconds: 4,
      times: 1,
    });
    const task = await call<TaskDoc>("POST", `/api/connections/${connectionId}/tasks`, { type: "full" });
    await show(`#/run/${task.id}`);
    await page.getByText("Microsoft Graph is throttling this sync").waitFor();
    await saveScreenshot(page, "small-running-throttled", "light");
    await stack.waitForTask(task.id);
  });

  it("why: a person is found by typing a name", async () => {
    await show("#/why");
    const picker = page.getByRole("combobox", { name: "Person" });
    await picker.click();
    await picker.pressSequentially("Adele Va", { delay: 80 });
    await page.getByRole("option", { name: /Adele Vance/ }).click();
    await page.waitForURL(/#\/why\?who=adelev%40/i);
    await page
      .getByText(/is synced/)
      .first()
      .waitFor();
    await expectNoOverlap("why");
  });

  it("list members show their job titles, and People, Groups and History keep their columns apart", async () => {
    const lists = await call<{ items: { id: string; name: string }[] }>("GET", "/api/lists?q=sales%20team");
    const list = lists.items.find((l) => l.name === "Sales Team");
    await show(`#/directory/lists/${encodeURIComponent(list?.id ?? "")}`);
    const members = page.getByRole("table", { name: "Members" });
    await members.getByRole("row").nth(1).waitFor();
    const titles = await members.locator("td:nth-child(2)").allInnerTexts();
    expect(titles.filter((t) => t.trim() !== "—").length).toBeGreaterThan(0);
    await expectNoOverlap("list-members");

    for (const [hash, screen] of [
      ["#/directory/profiles", "people"],
      ["#/directory/lists", "groups"],
      ["#/history", "history"],
    ] as const) {
      await show(hash);
      await page.locator("main table tbody tr").first().waitFor();
      await expectNoOverlap(screen);
    }
  });

  it("History filters by date", async () => {
    const today = new Date();
    const day = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    await show("#/history");
    const history = page.getByRole("table", { name: "Sync history" });
    await history.getByRole("row").nth(1).waitFor();
    await page.getByLabel("From").fill(day(new Date(today.getTime() + 86400_000)));
    await page.getByText("No sync matches these filters").waitFor();
    await page.getByLabel("From").fill(day(today));
    await history.getByRole("row").nth(1).waitFor();
    expect(page.url()).toContain(`from=${day(today)}`);
  });

  it("a deleted profile says when it is purged and how to restore it", async () => {
    stack.sim.directory.softDeleteUser(T, user("Joni Sherman").id);
    expect((await sync()).status).toBe("succeeded");
    const found = await call<{ items: { id: string; purgeAfter: string }[] }>(
      "GET",
      "/api/profiles?q=joni&status=deleted",
    );
    const joni = found.items[0];
    expect(joni?.purgeAfter).toEqual(expect.any(String));
    await show(`#/directory/profiles/${encodeURIComponent(joni?.id ?? "")}`);
    await page.getByText(/Kept until .+, then purged\./).waitFor();
    await page.getByText(/the next sync restores it with the same id/).waitFor();
    await expectNoOverlap("profile-deleted");
  });

  it("the connection test shows whole permission names at 1440x900", async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto("/index.html#/connect");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Application (client) id").fill(DEMO_CUSTOMER_APP.clientId);
    await page.getByLabel("Client secret").fill(DEMO_CUSTOMER_APP.clientSecret);
    await page.getByRole("button", { name: "Create and test" }).click();
    const permissions = page.getByRole("table", { name: "Permissions" });
    await permissions.getByText("RoleManagement.Read.Directory").waitFor({ timeout: 30_000 });
    await saveScreenshot(page, "wide-connect-test", "light");
    expect(await overlappingCells(page)).toEqual([]);
    await page.setViewportSize(SMALL);
  });
});
