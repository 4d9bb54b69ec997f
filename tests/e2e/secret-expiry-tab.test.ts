import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP } from "../../sim/index.ts";
import { type AdminSession, startAdminSession } from "./support/admin-session.ts";
import { expectAccessible, saveScreenshot } from "./support/browser.ts";

/**
 * An admin opening a connection's settings sees when its client secret expires, and a warning in the weeks
 * before syncing would stop, after the connection test has read it from the app registration.
 */
describe("client secret expiry in the tab", () => {
  let session: AdminSession;
  let page: Page;
  let connectionId = "";
  const NAME = "Contoso directory";
  const openSettings = async () => {
    await page.goto(`/#/connections/${connectionId}/settings`);
    await page.getByRole("heading", { name: `Sync settings: ${NAME}` }).waitFor();
  };

  beforeAll(async () => {
    session = await startAdminSession({ width: 1024, height: 768 });
    page = session.page;
    connectionId = (await session.createConnection(NAME)).id;
  });
  afterAll(async () => {
    await session?.close();
  });

  it("shows the expiry date, then warns when the secret expires within weeks", async () => {
    await session.call("POST", `/api/connections/${connectionId}/test`);
    await openSettings();
    await page.getByText(/^Client secret expires on .*2099\.$/).waitFor();

    const secret = session.stack.sim.directory.getApp(DEMO_CUSTOMER_APP.clientId)?.secrets[0];
    if (!secret) throw new Error("the demo app has no secret");
    const original = secret.expiresAt;
    secret.expiresAt = Date.now() + 12.5 * 24 * 3600 * 1000;
    try {
      await session.call("POST", `/api/connections/${connectionId}/test`);
      // Opened again later, as an admin returning to the page would.
      await page.reload();
      await page.getByRole("heading", { name: `Sync settings: ${NAME}` }).waitFor();
      const warning = page.getByText(/^The client secret expires on /);
      await warning.waitFor();
      await expect(page.getByText(/In 12 days syncing stops\./).isVisible()).resolves.toBe(true);
      await expectAccessible(page, "settings with the client secret warning");
      await saveScreenshot(page, "settings-secret-expiry-warning", "light");
    } finally {
      secret.expiresAt = original;
    }
  });
});
