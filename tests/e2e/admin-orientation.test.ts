import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AdminSession, startAdminSession, typeSlowly } from "./support/admin-session.ts";
import { saveScreenshot } from "./support/browser.ts";

/**
 * Where an admin is and what covers what: after every change of screen the keyboard focus is on the new
 * screen's heading (not on `<body>`), forced-colours mode still marks the current page in the navigation,
 * and a toast never covers a control (it covered the settings page's sticky Save button).
 */
describe("orientation in the tab", () => {
  let session: AdminSession;
  let page: Page;
  let connectionId = "";
  const NAME = "Contoso directory";
  const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });

  /** The focused element's tag and text, `BODY` when nothing has the focus. */
  const focusedHeading = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return "BODY";
      return `${el.tagName} ${el.textContent?.trim() ?? ""}`;
    });

  beforeAll(async () => {
    session = await startAdminSession({ width: 1024, height: 768 });
    page = session.page;
    connectionId = (await session.createConnection(NAME)).id;
    await session.runTask(connectionId);
  });

  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      await saveScreenshot(page, `failed-orientation-${ctx.task.name.slice(0, 30)}`, "light").catch(() => {});
    });
  });

  afterAll(async () => {
    await session?.close();
  });

  it("moves the focus to the new screen's heading after every change of screen", async () => {
    await page.goto("/#/");
    await page.getByRole("heading", { name: "Home" }).waitFor();
    // A keyboard user: Tab to the navigation's History link and press Enter.
    await nav("History").focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "History" }).waitFor();
    await expect.poll(focusedHeading).toBe("H1 History");

    // A link inside a screen, which the screen change removes from the page.
    const firstRun = page.getByRole("table").getByRole("link").first();
    await firstRun.focus();
    await page.keyboard.press("Enter");
    await expect.poll(focusedHeading).toMatch(/^H1 /);

    // Back to where the admin was: the heading again, not the top of the document.
    await page.goBack();
    await page.getByRole("heading", { name: "History" }).waitFor();
    await expect.poll(focusedHeading).toBe("H1 History");

    // From there, Tab moves on inside the screen, not back to the first control of the page.
    await page.keyboard.press("Tab");
    const next = await page.evaluate(() => !!document.activeElement?.closest("main"));
    expect(next).toBe(true);
  });

  it("keeps the focus where a screen's own search box has it while typing", async () => {
    await nav("Directory").click();
    const search = page.getByLabel("Search people");
    await search.click();
    await typeSlowly(page, "ad");
    // The search lands in the route's query after a pause: the same screen, so the focus stays.
    await page.waitForURL(/q=ad/);
    await typeSlowly(page, "ele");
    await expect.poll(() => search.inputValue()).toBe("adele");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("INPUT");
  });

  it("marks the current page in the navigation in forced-colours mode", async () => {
    await page.emulateMedia({ forcedColors: "active" });
    try {
      await page.goto("/?theme=contrast#/history");
      await page.getByRole("heading", { name: "History" }).waitFor();
      await expect(nav("History").getAttribute("aria-current")).resolves.toBe("page");
      // What forced colours leave of a link's look: outlines and borders, and its own colours only where it
      // opts out of forcing (backgrounds and shadows are otherwise replaced by the system's).
      const look = (name: string) =>
        nav(name).evaluate((a) => {
          const s = getComputedStyle(a);
          const own = s.forcedColorAdjust === "none" ? `${s.backgroundColor} ${s.color}` : "system colours";
          return `${own} | outline ${s.outlineStyle} ${s.outlineWidth} | border ${s.borderStyle} ${s.borderWidth}`;
        });
      const current = await look("History");
      const other = await look("Audit");
      await saveScreenshot(page, "forced-colours-current-page", "contrast");
      expect(current, `current page ${current}, another ${other}`).not.toBe(other);
    } finally {
      await page.emulateMedia({ forcedColors: "none" });
    }
  });

  it("shows the saved toast where it covers no control, not over the sticky Save", async () => {
    await page.goto(`/#/connections/${connectionId}/settings`);
    await page.getByRole("heading", { name: `Sync settings: ${NAME}` }).waitFor();
    const name = page.getByRole("textbox", { name: "Name" });
    await name.click();
    await page.keyboard.press("End");
    await typeSlowly(page, " (HR)");
    await page.getByRole("button", { name: "Save" }).click();
    const toast = page.locator(".fui-Toast").first();
    await toast.waitFor();
    await page.getByText("All changes saved.").waitFor();
    // Let the toast finish sliding in before measuring it: the same place twice in a row.
    let last = "";
    await expect
      .poll(async () => {
        const box = JSON.stringify(await toast.boundingBox());
        const settled = box === last;
        last = box;
        return settled;
      })
      .toBe(true);
    await saveScreenshot(page, "settings-saved-toast", "light");
    const covered = await toast.evaluate((t) => {
      const box = t.getBoundingClientRect();
      const controls = document.querySelectorAll<HTMLElement>(
        "a[href], button, input, textarea, select, [role=tab], [role=combobox], [role=switch], [tabindex='0']",
      );
      return [...controls]
        .filter((c) => !c.closest(".fui-Toaster") && c.offsetParent !== null)
        .filter((c) => {
          const r = c.getBoundingClientRect();
          return (
            r.width > 0 &&
            r.left < box.right &&
            r.right > box.left &&
            r.top < box.bottom &&
            r.bottom > box.top
          );
        })
        .map((c) => c.getAttribute("aria-label") ?? c.textContent?.trim() ?? c.tagName);
    });
    expect(covered).toEqual([]);
  });
});
