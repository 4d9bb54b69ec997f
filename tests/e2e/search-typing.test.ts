import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AdminSession, focused, pause, startAdminSession, typeSlowly } from "./support/admin-session.ts";
import { saveScreenshot } from "./support/browser.ts";

/**
 * Search and filter boxes, typed into as a person types: a few letters, a pause long enough for the search
 * to apply, more letters. Every keystroke must land in the box and the box must keep the focus; a filter
 * picked from a dropdown keeps the focus on the dropdown; a cleared search stays cleared.
 */
describe("typing into the tab's search and filter boxes", () => {
  let session: AdminSession;
  let page: Page;
  let taskId = "";

  beforeAll(async () => {
    session = await startAdminSession();
    page = session.page;
    const connection = await session.createConnection("Contoso directory");
    taskId = (await session.runTask(connection.id)).id;
  });

  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      await saveScreenshot(page, `failed-typing-${ctx.task.name.slice(0, 30)}`, "light").catch(() => {});
    });
  });

  afterAll(async () => {
    await session?.close();
  });

  /** "ad", a pause past the search's own delay, then "ele": the box must hold "adele" and keep the focus. */
  async function typeWithPause(box: ReturnType<Page["getByRole"]>) {
    await box.click();
    await typeSlowly(page, "ad");
    await pause(1500);
    await typeSlowly(page, "ele");
    await pause(1500);
    await expect(box.inputValue()).resolves.toBe("adele");
    expect(await focused(page)).not.toBe("BODY");
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
  }

  it("keeps every keystroke and the focus in a task's Search records", async () => {
    await page.goto(`/#/history/${taskId}`);
    const records = page.getByRole("table", { name: "Records" });
    await records.waitFor();
    const search = page.getByRole("searchbox", { name: "Search records" });
    await typeWithPause(search);
    await page.waitForURL(/q=adele/);
    await records
      .getByText(/Adele Vance/)
      .first()
      .waitFor();
  });

  it("keeps the focus on the Action filter after picking, and keeps typing in the search afterwards", async () => {
    await page.goto(`/#/history/${taskId}`);
    await page.getByRole("table", { name: "Records" }).waitFor();
    const action = page.getByRole("combobox", { name: "Action" });
    await action.click();
    await page.getByRole("option", { name: "Created" }).click();
    await page.waitForURL(/action=created/);
    await pause(500);
    expect(await action.evaluate((el) => el === document.activeElement)).toBe(true);
    await typeWithPause(page.getByRole("searchbox", { name: "Search records" }));
    await page.waitForURL(/q=adele/);
    expect(page.url()).toContain("action=created");
  });

  it("leaves a cleared search cleared when a filter changes right after", async () => {
    await page.goto(`/#/history/${taskId}?q=adele`);
    const search = page.getByRole("searchbox", { name: "Search records" });
    await expect(search.inputValue()).resolves.toBe("adele");
    await search.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Backspace");
    // Straight to the filter, before the cleared search has applied by itself.
    const action = page.getByRole("combobox", { name: "Action" });
    await action.click();
    await page.getByRole("option", { name: "Updated" }).click();
    await pause(1500);
    await expect(search.inputValue()).resolves.toBe("");
    expect(page.url()).toContain("action=updated");
    expect(page.url()).not.toContain("q=");
  });

  it("keeps every keystroke in Directory > People and > Groups", async () => {
    await page.goto("/#/directory/profiles");
    await page.getByRole("table", { name: "People" }).waitFor();
    await typeWithPause(page.getByRole("searchbox", { name: "Search people" }));
    await page.getByRole("table", { name: "People" }).getByText("Adele Vance").waitFor();

    await page.goto("/#/directory/lists");
    await page.getByRole("table", { name: "Groups" }).waitFor();
    const groups = page.getByRole("searchbox", { name: "Search groups" });
    await groups.click();
    await typeSlowly(page, "sal");
    await pause(1500);
    await typeSlowly(page, "es");
    await pause(1500);
    await expect(groups.inputValue()).resolves.toBe("sales");
    expect(await groups.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it("keeps the focus on a History filter after picking it", async () => {
    await page.goto("/#/history");
    await page.getByRole("table", { name: "Sync history" }).waitFor();
    const status = page.getByRole("combobox", { name: "Status" });
    await status.click();
    await page.getByRole("option", { name: "Succeeded" }).click();
    await page.waitForURL(/status=succeeded/);
    await pause(500);
    expect(await status.evaluate((el) => el === document.activeElement)).toBe(true);
    // And the next filter is reached from there with the keyboard, as focus was never lost.
    await page.keyboard.press("Tab");
    expect(await focused(page)).not.toBe("BODY");
  });
});
