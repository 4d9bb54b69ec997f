import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type AdminSession, startAdminSession } from "./support/admin-session.ts";
import { expectAccessible, saveScreenshot } from "./support/browser.ts";

const ADMIN_UPN = "admin@M365x214355.onmicrosoft.com";

/**
 * Welcome notices as an admin sets them up: switching them on asks about the people already synced, the
 * notice is previewed with a real synced profile, and a test goes to the admin before anyone else gets one.
 */
describe("welcome notices in the tab", () => {
  let session: AdminSession;
  let page: Page;
  let connectionId = "";

  beforeAll(async () => {
    session = await startAdminSession({ width: 1024, height: 768 });
    page = session.page;
    // Granted before the first token is issued: Entra puts a grant into tokens issued after it.
    session.stack.sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, [
      "Mail.Send",
    ]);
    connectionId = (await session.createConnection("Contoso directory")).id;
    expect((await session.runTask(connectionId)).status).toBe("succeeded");
  });

  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      await saveScreenshot(page, `failed-welcome-${ctx.task.name.slice(0, 30)}`, "light").catch(() => {});
    });
  });

  afterAll(async () => {
    await session?.close();
  });

  it("asks about existing people when switched on, previews with a synced person and sends a test to the admin", async () => {
    await page.goto(`/#/connections/${connectionId}/settings`);
    await page.getByRole("heading", { name: "Sync settings: Contoso directory" }).waitFor();
    await page.getByRole("tab", { name: "Welcome notices" }).click();
    await page.getByRole("switch", { name: "Welcome notices are off" }).waitFor();
    await expectAccessible(page, "settings, welcome notices (off)");
    await saveScreenshot(page, "settings-welcome-off", "light");

    await page.getByRole("switch", { name: "Welcome notices are off" }).click();
    const ask = page.getByRole("dialog", { name: "Switch on welcome notices" });
    await ask.waitFor();
    await expect(
      ask.getByRole("radio", { name: /^Only welcome people created from now on/ }).isChecked(),
    ).resolves.toBe(true);
    await saveScreenshot(page, "settings-welcome-ask", "light");
    await ask.getByRole("radio", { name: /^Also welcome the people who already exist/ }).check();
    await ask.getByRole("button", { name: "Switch on" }).click();
    await page
      .getByText("People already in the directory when notices were switched on are welcomed too.")
      .waitFor();

    await page.getByRole("textbox", { name: /Send from mailbox/ }).fill(ADMIN_UPN);
    await page.getByRole("textbox", { name: /Link to the application/ }).fill("https://portal.contoso.com");
    await page.getByRole("textbox", { name: "Subject" }).fill("Welcome aboard, {firstName}");

    // The preview is filled from a real synced profile, chosen by name.
    await page.getByRole("combobox", { name: "Preview for" }).click();
    await page.getByRole("option", { name: "Adele Vance" }).click();
    const preview = page.getByRole("region", { name: "Notice preview" });
    await preview.getByText("Welcome aboard, Adele").waitFor();
    await expect(preview.textContent()).resolves.toContain("https://portal.contoso.com");

    await page.getByRole("button", { name: "Send a test to me" }).click();
    // The toast's title and the screen reader announcement carry the same words; either one shown will do.
    await page.getByText(`Test sent to ${ADMIN_UPN}: "Welcome aboard, Adele"`).first().waitFor();
    expect(
      session.stack.sim.directory.listSentMail(DEMO_TENANT_ID).map((m) => [m.from, m.to, m.subject]),
    ).toEqual([[ADMIN_UPN.toLowerCase(), [ADMIN_UPN], "Welcome aboard, Adele"]]);
    await expectAccessible(page, "settings, welcome notices (on)");
    await saveScreenshot(page, "settings-welcome-on", "light");

    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("All changes saved.").waitFor();
    const saved = await session.call<{ settings: { welcome: Record<string, unknown> } }>(
      "GET",
      `/api/connections/${connectionId}`,
    );
    expect(saved.settings.welcome).toMatchObject({
      enabled: true,
      existingPeople: "welcome",
      mailbox: ADMIN_UPN.toLowerCase(),
      subject: "Welcome aboard, {firstName}",
    });
  }, 120_000);

  it("explains a template mistake at its field before saving", async () => {
    await page.goto(`/#/connections/${connectionId}/settings`);
    await page.getByRole("tab", { name: "Welcome notices" }).click();
    await page.getByRole("textbox", { name: "Subject" }).fill("Hi {nickname}");
    await page
      .getByText(/\{nickname\} is not a placeholder/)
      .first()
      .waitFor();
    await page.getByRole("button", { name: "Save" }).click();
    await page
      .getByText("One setting needs attention; each problem is explained next to its field.")
      .waitFor();
    await saveScreenshot(page, "settings-welcome-template-error", "light");
  }, 60_000);
});
