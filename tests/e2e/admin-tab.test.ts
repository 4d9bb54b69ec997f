import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TaskDoc } from "../../api/store/documents.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import {
  expectAccessible,
  launchBrowser,
  newContext,
  saveScreenshot,
  THEMES,
  themedUrl,
  waitForScreen,
} from "./support/browser.ts";
import { freePort } from "./support/ports.ts";

/**
 * The admin tab end to end, standalone in Chromium against the whole local stack with the simulated tenant:
 * sign in, connect, choose groups, preview and sync, read details and the CSV, see a change, confirm the
 * deletion guard, and see the reauthorization banner. Every screen passes axe and is saved in both themes.
 */

const TAB_INDEX = "tab/dist/index.html";
const UI_TIMEOUT = 15_000;
const SYNC_TIMEOUT = 30_000;
const GROUPS = [
  { type: "Sal", name: "Sales Team" },
  { type: "Leg", name: "Legal" },
];

/** RFC 4180 rows (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

describe("admin tab in a browser (standalone)", () => {
  let stack: FullStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let connectionId = "";
  const groupIds: string[] = [];

  /** The current screen, checked by axe and saved in dark then light theme (the page ends in light). */
  async function visit(name: string, ready?: () => Promise<void>): Promise<void> {
    const url = new URL(page.url());
    const target = `${url.pathname}${url.hash}`;
    for (const theme of [...THEMES].reverse()) {
      await page.goto(themedUrl(target, theme));
      await waitForScreen(page, UI_TIMEOUT);
      await ready?.();
      await expectAccessible(page, `${name} (${theme})`);
      await saveScreenshot(page, name, theme);
    }
  }

  /** GET through the browser's own session cookie. */
  async function api<T>(path: string): Promise<T> {
    const res = await page.request.get(path);
    expect(res.status(), `GET ${path}`).toBe(200);
    return (await res.json()) as T;
  }

  async function latestTask(): Promise<TaskDoc> {
    const page1 = await api<{ items: TaskDoc[] }>(`/api/tasks?connectionId=${connectionId}`);
    const task = page1.items[0];
    if (!task) throw new Error("no task yet");
    return task;
  }

  /** Every record of a task through the paged API. */
  async function allRecords(taskId: string, query = "") {
    const out: { kind: string; sourceId: string; action: string; changedFields?: string[] }[] = [];
    let token: string | undefined;
    do {
      const params = new URLSearchParams(query);
      if (token) params.set("continuationToken", token);
      const body = await api<{ items: typeof out; continuationToken?: string }>(
        `/api/tasks/${taskId}/records?${params}`,
      );
      out.push(...body.items);
      token = body.continuationToken;
    } while (token);
    return out;
  }

  /** Users the two chosen groups hold, nesting followed, as the simulated tenant has them now. */
  function usersInScope(): Set<string> {
    const users = new Set(stack.sim.directory.listUsers(DEMO_TENANT_ID).map((u) => u.id));
    const ids = groupIds.flatMap((g) => stack.sim.directory.listMembers(DEMO_TENANT_ID, g, true));
    return new Set(ids.filter((id) => users.has(id)));
  }

  /** A link of the main navigation (screens also have a "Home" back link). */
  const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });

  /** Home → "Sync now" → a choice; lands on the running-sync screen and waits for its outcome. */
  async function syncNow(choice: string, outcome: string): Promise<void> {
    await nav("Home").click();
    await page.getByRole("button", { name: /^Sync now/ }).click();
    await page.getByRole("menuitem", { name: choice }).click();
    await page.waitForURL(/#\/run\//, { timeout: UI_TIMEOUT });
    await page.getByRole("status").getByText(outcome, { exact: true }).waitFor({ timeout: SYNC_TIMEOUT });
  }

  beforeAll(async () => {
    if (!existsSync(TAB_INDEX))
      throw new Error(
        `${TAB_INDEX} is missing: build the tab first with \`npm run build:tab\` (\`npm test\` does it).`,
      );
    const port = await freePort();
    stack = await startFullStack({
      env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}` },
    });
    browser = await launchBrowser();
    context = await newContext(browser, { baseURL: stack.url });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
  });

  // What the browser showed when a step failed, next to the screenshots.
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

  it("signs in standalone through the account picker as a Global Administrator", async () => {
    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in to Entra Directory Sync" }).waitFor();
    await visit("sign-in");
    await page.goto("/");
    await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
    await page.getByRole("heading", { name: "Pick an account" }).waitFor();
    await page.getByRole("button", { name: "Sign in as MOD Administrator" }).first().click();
    await page.getByRole("heading", { name: "Home" }).waitFor();
    const me = await api<{ tenantId: string; upn: string; isAdmin: boolean }>("/api/me");
    expect(me).toMatchObject({ tenantId: DEMO_TENANT_ID, isAdmin: true });
    expect(me.upn.toLowerCase()).toBe("admin@m365x214355.onmicrosoft.com");
    await page.getByText("No connection to Entra ID yet").waitFor();
    await visit("home-empty");
  });

  it("connects with app credentials and shows every permission granted", async () => {
    await page.getByRole("link", { name: "Connect to Entra ID" }).click();
    await page.getByRole("heading", { name: "Connect to Entra ID" }).waitFor();
    await visit("connect");
    // Without ?theme= the tab follows the colour scheme, so the wizard's last step can be seen in both.
    await page.goto("/#/connect");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Application (client) id").fill(DEMO_CUSTOMER_APP.clientId);
    await page.getByLabel("Client secret").fill(DEMO_CUSTOMER_APP.clientSecret);
    await page.getByRole("button", { name: "Create and test" }).click();
    await page.getByText("Connection works").waitFor({ timeout: SYNC_TIMEOUT });
    const rows = page.getByRole("table", { name: "Permissions" }).getByRole("row");
    const statuses = await rows.locator("td:nth-child(2)").allInnerTexts();
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    expect(statuses.map((s) => s.trim())).toEqual(statuses.map(() => "Granted"));
    // The wizard's last step is not addressable by URL: checked and saved here rather than by visit().
    await expectAccessible(page, "connect test");
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      await saveScreenshot(page, "connect-test", theme);
    }
    await page.emulateMedia({ colorScheme: "light" });
    const list = await api<{ items: { id: string; kind: string; status: string }[] }>("/api/connections");
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ kind: "graph-app", status: "active" });
    connectionId = list.items[0]?.id ?? "";
  });

  it("chooses two groups with the picker and saves the settings", async () => {
    await page.getByRole("link", { name: "Choose what to sync" }).click();
    await page.getByRole("heading", { name: /^Sync settings/ }).waitFor();
    await page.getByRole("tab", { name: "Scope" }).click();
    await page.getByRole("radio", { name: "Members of selected groups (nested groups included)" }).check();
    const picker = page.getByRole("combobox", { name: "Groups" });
    for (const g of GROUPS) {
      // Typed as a person types: the picker opens its list on keystrokes.
      await picker.click();
      await picker.pressSequentially(g.type);
      await page.getByRole("option", { name: new RegExp(`^${g.name}`) }).click();
    }
    const chosen = page.getByRole("listbox", { name: "Selected groups" });
    for (const g of GROUPS) await chosen.getByText(g.name, { exact: true }).waitFor();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("All changes saved.").waitFor();
    const saved = await api<{ settings: { users: { scope: string; groupIds: string[] } } }>(
      `/api/connections/${connectionId}`,
    );
    const byName = new Map(stack.sim.directory.listGroups(DEMO_TENANT_ID).map((g) => [g.displayName, g.id]));
    groupIds.push(...GROUPS.map((g) => byName.get(g.name) ?? g.name));
    expect(saved.settings.users).toMatchObject({ scope: "groups" });
    expect([...saved.settings.users.groupIds].sort()).toEqual([...groupIds].sort());
    // Reloaded, the saved groups (kept as ids) are shown by name again.
    await visit("settings", async () => {
      await page.getByRole("tab", { name: "Scope" }).click();
      for (const g of GROUPS) await chosen.getByText(g.name, { exact: true }).waitFor();
    });
  });

  it("previews, then syncs, and the details and CSV list every user in scope", async () => {
    await syncNow("Preview changes (changes nothing)", "Succeeded");
    const preview = await latestTask();
    expect(preview).toMatchObject({ taskType: "preview", status: "succeeded" });
    // Everyone in scope is read; some are skipped with a reason (the demo tenant has awkward cases).
    const { processed, created, skipped } = preview.counters.users;
    expect(processed).toBe(usersInScope().size);
    expect(created).toBeGreaterThan(0);
    expect(created + skipped).toBe(processed);
    await visit("preview");
    // Nothing was created: the counters say what a sync would do.
    const counters = page.getByRole("table", { name: "Counters" });
    await counters.getByRole("columnheader", { name: "Would create" }).waitFor();
    await expect(counters.getByRole("columnheader", { name: "Created" }).count()).resolves.toBe(0);
    expect((await api<{ items: unknown[] }>("/api/profiles")).items).toHaveLength(0);

    await syncNow("Sync users and lists", "Succeeded");
    const sync = await latestTask();
    expect(sync).toMatchObject({ taskType: "full", status: "succeeded" });
    await visit("running");
    await page.getByRole("link", { name: "View details" }).click();
    await page.getByRole("table", { name: "Records" }).waitFor();
    await visit("details");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`sync-${sync.id}.csv`);
    const bytes = await readFile(await download.path());
    // A byte order mark first, so Excel reads the file as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.subarray(3).toString("utf8"));
    const [header, ...records] = rows;
    expect(header).toEqual([
      "Kind",
      "Name",
      "Email",
      "User principal name",
      "Entra object id",
      "Action",
      "Reason",
      "Changed fields",
      "Old values",
      "New values",
      "Time (UTC)",
      "Welcome notice",
      "Welcome notice detail",
    ]);
    expect(records).toHaveLength((await allRecords(sync.id)).length);
    const users = records.filter((r) => r[0] === "user");
    expect(new Set(users.map((r) => r[4]))).toEqual(usersInScope());
    expect(users.filter((r) => r[5] === "created")).toHaveLength(sync.counters.users.created);
  });

  it("shows a changed job title in History and in the task's details", async () => {
    const someone = [...usersInScope()].map((id) => stack.sim.directory.getUser(DEMO_TENANT_ID, id))[0];
    if (!someone) throw new Error("no user in scope");
    stack.sim.directory.updateUser(DEMO_TENANT_ID, someone.id, { jobTitle: "Head of Contract Review" });
    await syncNow("Sync users and lists", "Succeeded");
    const task = await latestTask();
    expect(task.counters.users).toMatchObject({ updated: 1, created: 0, deleted: 0 });

    await nav("History").click();
    const newest = page.getByRole("table", { name: "Sync history" }).getByRole("row").nth(1);
    await newest.getByText("1 updated").waitFor();
    await visit("history");

    await page.getByRole("table", { name: "Sync history" }).getByRole("row").nth(1).getByRole("link").click();
    await page.getByRole("table", { name: "Records" }).waitFor();
    await page.getByLabel("Search records").fill(someone.userPrincipalName);
    await page.keyboard.press("Enter");
    const row = page.getByRole("table", { name: "Records" }).getByRole("row", { name: /Updated/ });
    // The changed field with its old and new value, not only its name.
    await row.getByText(/^Job title: .+ → Head of Contract Review$/).waitFor();
    await visit("details-updated");
    const updated = await allRecords(task.id, "action=updated");
    expect(updated).toEqual([expect.objectContaining({ sourceId: someone.id, changedFields: ["jobTitle"] })]);
  });

  it("halts on the deletion guard and deletes after confirmation", async () => {
    const leaving = [...usersInScope()].slice(0, 3);
    for (const id of leaving) stack.sim.directory.softDeleteUser(DEMO_TENANT_ID, id);
    await syncNow("Sync users and lists", "Halted");
    const halted = await latestTask();
    expect(halted).toMatchObject({ status: "halted", halt: { wouldDelete: leaving.length } });
    await visit("running-halted");

    await page.getByRole("link", { name: "Review deletions" }).click();
    await page.getByText("Deletion guard: waiting for your confirmation").waitFor();
    await page.getByRole("button", { name: "Show what would be deleted" }).click();
    await page.waitForURL(/action=pending-delete/);
    const records = page.getByRole("table", { name: "Records" });
    await records.getByRole("row").nth(leaving.length).waitFor();
    await expect(records.getByText("Would be deleted", { exact: true }).count()).resolves.toBe(
      leaving.length,
    );
    await visit("details-halted");
    await page.getByRole("button", { name: "Confirm deletions" }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${leaving.length} records?` });
    await dialog.waitFor();
    await expectAccessible(page, "confirm deletions dialog");
    await saveScreenshot(page, "confirm-deletions", "light");
    await dialog.getByRole("button", { name: "Delete and continue" }).click();
    await page.waitForURL(new RegExp(`#/run/${halted.id}$`));
    await page.getByRole("status").getByText("Succeeded", { exact: true }).waitFor({ timeout: SYNC_TIMEOUT });
    const done = await stack.waitForTask(halted.id);
    expect(done.status).toBe("succeeded");
    expect(done.counters.users.deleted).toBe(leaving.length);
    const deleted = await allRecords(halted.id, "action=deleted&kind=user");
    expect(new Set(deleted.map((r) => r.sourceId))).toEqual(new Set(leaving));
  });

  it("browses the directory, answers why, and lists the audit trail", async () => {
    await nav("Directory").click();
    const people = page.getByRole("table").first();
    await people.getByRole("link").first().waitFor();
    await visit("directory");
    await page.getByRole("table").first().getByRole("link").first().click();
    await page.waitForURL(/#\/directory\/profiles\/.+/);
    await visit("profile");

    const guest = stack.sim.directory.listUsers(DEMO_TENANT_ID).find((u) => u.userType === "Guest");
    await page.goto(`/#/why?who=${encodeURIComponent(guest?.userPrincipalName ?? "")}`);
    await page
      .getByText(/not synced/i)
      .first()
      .waitFor();
    await visit("why");

    await nav("Audit").click();
    await page.getByRole("table").first().waitFor();
    await visit("audit");
  });

  it("shows the Reauthorize banner once the connection's secret has expired", async () => {
    stack.sim.directory.expireSecret(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    // A fresh API process holds no cached app token, so the next sync must ask Entra again.
    await stack.restartApi();
    await syncNow("Sync users and lists", "Failed");
    const failed = await latestTask();
    expect(failed.status).toBe("failed");
    await nav("Home").click();
    const banner = page.getByText("Entra ID needs reauthorization");
    await banner.waitFor();
    await page.getByRole("button", { name: "Enter a new client secret" }).waitFor();
    const connection = await api<{ status: string }>(`/api/connections/${connectionId}`);
    expect(connection.status).toBe("needs-reauth");
    await visit("home-reauth");

    // The admin makes a new secret in Entra and enters it: the connection works again, the banner goes.
    stack.sim.directory.setSecret(
      DEMO_TENANT_ID,
      DEMO_CUSTOMER_APP.clientId,
      "rotated-secret-value-2027",
      "2099-01-01T00:00:00Z",
    );
    await page.getByRole("button", { name: "Enter a new client secret" }).click();
    const dialog = page.getByRole("dialog", { name: /New client secret for/ });
    await dialog.getByLabel("Client secret value").fill("rotated-secret-value-2027");
    await expectAccessible(page, "new client secret dialog");
    await saveScreenshot(page, "home-new-secret", "light");
    await dialog.getByRole("button", { name: "Save and check" }).click();
    await banner.waitFor({ state: "detached" });
    expect((await api<{ status: string }>(`/api/connections/${connectionId}`)).status).toBe("active");
  });
});
