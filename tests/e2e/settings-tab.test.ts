import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AdminSession, focused, pause, startAdminSession, typeSlowly } from "./support/admin-session.ts";
import { expectAccessible, saveScreenshot } from "./support/browser.ts";

/**
 * The sync settings page as an admin works through it: in parts (connection, scope, mapping, deletions,
 * schedule) rather than one long page; unsaved edits are never lost to a click elsewhere without asking;
 * an OData filter Graph would reject is refused at its field when saving; a new mapping row guesses
 * nothing; email cannot be mapped by mistake; a typed directory extension stays as typed; custom
 * attributes are defined on the page and mapped.
 */
describe("sync settings in the tab", () => {
  let session: AdminSession;
  let page: Page;
  let connectionId = "";
  const NAME = "Contoso directory";

  interface Settings {
    users: { scope: string; filter: string };
    mapping: { source: string; target: string }[];
  }
  const saved = () =>
    session.call<{ name: string; settings: Settings }>("GET", `/api/connections/${connectionId}`);

  const openSettings = async (part = "Connection") => {
    await page.goto(`/#/connections/${connectionId}/settings`);
    await page.getByRole("heading", { name: `Sync settings: ${NAME}` }).waitFor();
    await page.getByRole("tab", { name: part }).click();
  };
  const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });
  const saveAndWait = async () => {
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("All changes saved.").waitFor();
  };

  beforeAll(async () => {
    session = await startAdminSession({ width: 1024, height: 768 });
    page = session.page;
    connectionId = (await session.createConnection(NAME)).id;
  });

  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      await saveScreenshot(page, `failed-settings-${ctx.task.name.slice(0, 30)}`, "light").catch(() => {});
    });
  });

  afterAll(async () => {
    await session?.close();
  });

  it("splits the settings into parts, each far shorter than the old 4,320 px page", async () => {
    await openSettings();
    const parts = await page.getByRole("tablist", { name: "Settings" }).getByRole("tab").allInnerTexts();
    expect(parts).toEqual(["Connection", "Scope", "Mapping", "Deletions", "Schedule", "Welcome notices"]);
    const heights: Record<string, number> = {};
    for (const part of parts) {
      await page.getByRole("tab", { name: part }).click();
      await page.getByRole("tabpanel").waitFor();
      heights[part] = await page.evaluate(() => document.documentElement.scrollHeight);
      await expectAccessible(page, `settings, ${part}`);
      await saveScreenshot(page, `settings-part-${part.toLowerCase()}`, "light");
    }
    console.info(`settings page heights at 1024x768: ${JSON.stringify(heights)}`);
    for (const h of Object.values(heights)) expect(h).toBeLessThan(2600);
  });

  it("asks before leaving with unsaved changes, and stays with the typed text kept", async () => {
    // Home first, so that Back from the settings is a step inside the tab.
    await page.goto("/#/");
    await page.getByRole("heading", { name: "Home" }).waitFor();
    await openSettings();
    const name = page.getByRole("textbox", { name: "Name" });
    await name.click();
    await page.keyboard.press("End");
    await typeSlowly(page, " (HR)");
    await nav("History").click();
    const prompt = page.getByRole("dialog", { name: "Leave without saving?" });
    await prompt.waitFor();
    await expectAccessible(page, "leave without saving prompt");
    await saveScreenshot(page, "settings-leave-prompt", "light");
    await prompt.getByRole("button", { name: "Stay on this page" }).click();
    await prompt.waitFor({ state: "detached" });
    expect(page.url()).toContain("/settings");
    await expect(name.inputValue()).resolves.toBe(`${NAME} (HR)`);

    // Back in the browser asks too.
    await page.goBack();
    await prompt.waitFor();
    await prompt.getByRole("button", { name: "Stay on this page" }).click();
    await expect(name.inputValue()).resolves.toBe(`${NAME} (HR)`);

    // Leaving without saving leaves, and nothing was saved.
    await nav("Home").click();
    await prompt.getByRole("button", { name: "Leave without saving" }).click();
    await page.getByRole("heading", { name: "Home" }).waitFor();
    expect((await saved()).name).toBe(NAME);
  });

  it("saves and leaves from the prompt", async () => {
    await openSettings();
    const name = page.getByRole("textbox", { name: "Name" });
    await name.click();
    await page.keyboard.press("End");
    await typeSlowly(page, " HQ");
    await nav("Audit").click();
    await page
      .getByRole("dialog", { name: "Leave without saving?" })
      .getByRole("button", { name: "Save and leave" })
      .click();
    await page.getByRole("heading", { name: "Audit" }).waitFor();
    expect((await saved()).name).toBe(`${NAME} HQ`);
  });

  it("refuses an OData filter Graph rejects at its field when saving, and saves the corrected one", async () => {
    await openSettings("Scope");
    const filter = page.getByRole("textbox", { name: /User filter \(OData/ });
    await filter.click();
    await typeSlowly(page, "department eq Sales", 60);
    await page.getByRole("button", { name: "Save" }).click();
    // The field itself says what is wrong, and has the focus.
    await expect.poll(() => filter.getAttribute("aria-invalid")).toBe("true");
    await page
      .getByText(/Microsoft Graph rejected this filter: .*Put text values in single quotes/)
      .waitFor();
    await expect.poll(() => filter.evaluate((el) => el === document.activeElement)).toBe(true);
    await saveScreenshot(page, "settings-filter-rejected", "light");
    expect((await saved()).settings.users.filter).toBe("");

    await filter.fill("");
    await typeSlowly(page, "department eq 'Sales'", 60);
    await saveAndWait();
    expect((await saved()).settings.users.filter).toBe("department eq 'Sales'");
    // Back to everyone, for the tests after this one.
    await filter.fill("");
    await saveAndWait();
  });

  it("adds an empty mapping row, never department -> email, and offers no email target", async () => {
    await openSettings("Mapping");
    const before = (await saved()).settings.mapping.length;
    await page.getByRole("button", { name: "Add mapping" }).click();
    const n = before + 1;
    const source = page.getByRole("combobox", { name: `Row ${n}: Entra ID property` });
    await expect.poll(() => source.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect(source.inputValue()).resolves.toBe("");
    const target = page.getByRole("combobox", { name: `Row ${n}: profile field or custom attribute` });
    expect((await target.textContent())?.trim()).toBe("Choose a field");
    await target.click();
    const options = await page.getByRole("listbox").getByRole("option").allInnerTexts();
    expect(options).not.toContain("email");
    expect(options).toContain("jobTitle");
    await page.keyboard.press("Escape");
    // Saving the untouched row names both of its fields instead of saving a guess.
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Choose a profile field or a custom attribute.").waitFor();
    expect((await saved()).settings.mapping).toHaveLength(before);
    await page.getByRole("button", { name: `Remove row ${n} ()` }).click();
  });

  it("refuses a mapping to email through the API, naming the row", async () => {
    const current = await saved();
    const res = await session.stack.api(`/api/connections/${connectionId}`, {
      token: await session.stack.adminToken(),
      method: "PATCH",
      json: {
        settings: {
          ...current.settings,
          mapping: [...current.settings.mapping, { source: "department", target: "field:email" }],
        },
      },
    });
    expect(res.status).toBe(400);
    const row = current.settings.mapping.length;
    expect(res.body.error.fields[`settings.mapping.${row}.target`]).toMatch(/email is not mapped/);
  });

  it("keeps a typed directory extension on Tab and Enter, and defines and maps a custom attribute", async () => {
    await openSettings("Mapping");
    // Defined here, not through the API.
    await page.getByRole("button", { name: "Define custom attribute" }).click();
    const dialog = page.getByRole("dialog", { name: "Define a custom attribute" });
    await dialog.getByRole("textbox", { name: "Name" }).click();
    await typeSlowly(page, "costCenter", 60);
    await dialog.getByRole("textbox", { name: "Label" }).click();
    await typeSlowly(page, "Cost center", 60);
    await expectAccessible(page, "define custom attribute dialog");
    await dialog.getByRole("button", { name: "Define" }).click();
    await dialog.waitFor({ state: "detached" });
    await page
      .getByRole("list", { name: "Defined custom attributes" })
      .getByText(/Cost center \(costCenter/)
      .waitFor();

    const before = (await saved()).settings.mapping.length;
    const n = before + 1;
    await page.getByRole("button", { name: "Add mapping" }).click();
    const source = page.getByRole("combobox", { name: `Row ${n}: Entra ID property` });
    await expect.poll(() => focused(page)).toContain(`Row ${n}: Entra ID property`);
    const extension = "extension_3e9d1c6b52f84a078d4eb1a7c0e5f926_costCenter";
    await typeSlowly(page, extension, 40);
    await page.keyboard.press("Tab");
    await pause(300);
    await expect(source.inputValue()).resolves.toBe(extension);
    await source.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await pause(300);
    await expect(source.inputValue()).resolves.toBe(extension);

    const target = page.getByRole("combobox", { name: `Row ${n}: profile field or custom attribute` });
    await target.click();
    await page.getByRole("option", { name: "Cost center (costCenter)" }).click();
    await saveAndWait();
    expect((await saved()).settings.mapping.at(-1)).toEqual({
      source: extension,
      target: "attribute:costCenter",
    });
    const attributes = await session.call<{ items: { name: string; label: string }[] }>(
      "GET",
      "/api/attributes",
    );
    expect(attributes.items).toEqual([expect.objectContaining({ name: "costCenter", label: "Cost center" })]);
  });
});
