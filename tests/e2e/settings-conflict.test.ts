import { existsSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { expectAccessible, launchBrowser, newContext, saveScreenshot } from "./support/browser.ts";
import { freePort } from "./support/ports.ts";

/**
 * The settings page and the connection's version (ETag): switching the connection on or off gives it a new
 * version, and that must not turn the same admin's next save into "changed by someone else"; a change another
 * admin really made is offered for merging or review, and what this admin typed is never thrown away unasked.
 */

const TAB_INDEX = "tab/dist/index.html";
const UI_TIMEOUT = 15_000;
/** A person typing: about eight keys a second. */
const TYPING = { delay: 120 };

describe("saving settings when the connection changed meanwhile (browser, standalone)", () => {
  let stack: FullStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: string;
  let connectionId = "";

  /** Another admin's change through the API, made the way the tab makes it (read, then PATCH with If-Match). */
  async function changeElsewhere(change: (current: Record<string, unknown>) => Record<string, unknown>) {
    const current = await stack.api(`/api/connections/${connectionId}`, { token: admin });
    const res = await stack.api(`/api/connections/${connectionId}`, {
      token: admin,
      method: "PATCH",
      json: change(current.body),
      headers: { "if-match": current.headers.get("etag") as string },
    });
    expect(res.status, res.text).toBe(200);
  }

  const nameField = () => page.getByRole("textbox", { name: "Name", exact: true });
  const openSettings = async () => {
    await page.goto(`/#/connections/${connectionId}/settings`);
    await page.getByRole("heading", { name: /^Sync settings/ }).waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(TAB_INDEX))
      throw new Error(
        `${TAB_INDEX} is missing: build the tab first with \`npm run build:tab\` (\`npm test\` does it).`,
      );
    const port = await freePort();
    stack = await startFullStack({ env: { PORT: String(port), PUBLIC_URL: `http://localhost:${port}` } });
    admin = await stack.adminToken();
    const created = await stack.api("/api/connections", {
      token: admin,
      method: "POST",
      json: {
        name: "Contoso",
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
      },
    });
    expect(created.status).toBe(201);
    connectionId = created.body.id;
    browser = await launchBrowser();
    context = await newContext(browser, { baseURL: stack.url });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
    await page.goto("/");
    await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
    await page.getByRole("button", { name: "Sign in as MOD Administrator" }).first().click();
    await page.getByRole("heading", { name: "Home" }).waitFor();
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

  it("switching the connection off, then saving other edits, saves them: the same admin is not someone else", async () => {
    await openSettings();
    const toggle = page.getByRole("switch", { name: /^Connection is on/ });
    await toggle.click();
    await page.getByRole("switch", { name: /^Connection is off/ }).waitFor();
    await nameField().click();
    await nameField().press("End");
    await nameField().pressSequentially(" HR", TYPING);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("All changes saved.").waitFor();
    expect(await page.getByText(/changed by someone else/).count()).toBe(0);

    // Saved for real: a reload shows the edit, and the connection stayed off.
    await page.reload();
    await page.getByRole("heading", { name: /^Sync settings: Contoso HR/ }).waitFor();
    expect(await nameField().inputValue()).toBe("Contoso HR");
    await page.getByRole("switch", { name: /^Connection is off/ }).waitFor();
    const stored = await stack.api(`/api/connections/${connectionId}`, { token: admin });
    expect(stored.body).toMatchObject({ name: "Contoso HR", status: "inactive" });
  });

  it("a change another admin made meanwhile is shown and merged on request; the typed edit is kept", async () => {
    await openSettings();
    await nameField().click();
    await nameField().press("End");
    await nameField().pressSequentially(" Europe", TYPING);
    // Meanwhile another admin changes the schedule.
    await changeElsewhere((c) => ({ schedule: { ...(c.schedule as object), intervalMinutes: 30 } }));

    await page.getByRole("button", { name: "Save" }).click();
    const conflict = page.getByRole("region", { name: "Changed by someone else" });
    await conflict.waitFor();
    await conflict.getByText(/Sync every.*60.*30/).waitFor();
    // Nothing typed is lost while the admin decides.
    expect(await nameField().inputValue()).toBe("Contoso HR Europe");
    await expectAccessible(page, "settings conflict");
    await saveScreenshot(page, "settings-conflict", "light");

    await conflict.getByRole("button", { name: "Merge and save" }).click();
    await page.getByText("All changes saved.").waitFor();
    const stored = await stack.api(`/api/connections/${connectionId}`, { token: admin });
    expect(stored.body.name).toBe("Contoso HR Europe");
    expect(stored.body.schedule.intervalMinutes).toBe(30);
  });

  it("when both changed the same setting, the other version can be reviewed and loaded instead", async () => {
    await openSettings();
    await nameField().fill("");
    await nameField().pressSequentially("Mine", TYPING);
    await changeElsewhere(() => ({ name: "Theirs" }));

    await page.getByRole("button", { name: "Save" }).click();
    const conflict = page.getByRole("region", { name: "Changed by someone else" });
    await conflict.getByText(/Name.*Contoso HR Europe.*Theirs.*you changed it too/).waitFor();
    expect(await nameField().inputValue()).toBe("Mine");
    await conflict.getByRole("button", { name: "Discard my edits and load theirs" }).click();
    expect(await nameField().inputValue()).toBe("Theirs");
    await page.getByText("All changes saved.").waitFor();
    expect((await stack.api(`/api/connections/${connectionId}`, { token: admin })).body.name).toBe("Theirs");
  });
});
