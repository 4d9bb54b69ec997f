import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { pollUntil } from "../support/full-stack.ts";
import { type AdminSession, pause, startAdminSession, typeSlowly } from "./support/admin-session.ts";
import { expectAccessible, saveScreenshot } from "./support/browser.ts";

/**
 * A tenant's second connection and deleting connections, as a new admin meets them in the tab: the second
 * connection starts switched off, the tab says why and offers the switch; Sync now explains why it cannot be
 * used; "Allow concurrent syncing" exists where the API's answer points; a connection is deleted from its
 * card with the choice to keep or remove what it synced.
 */
describe("connections in the tab: a second one, switching, deleting", () => {
  let session: AdminSession;
  let page: Page;
  let first = { id: "", name: "Contoso directory" };
  let second = { id: "", name: "" };

  interface ConnectionView {
    id: string;
    name: string;
    status: string;
    allowConcurrent?: boolean;
  }
  const connections = async () =>
    (await session.call<{ items: ConnectionView[] }>("GET", "/api/connections")).items;
  const statusOf = async (id: string) => (await connections()).find((c) => c.id === id)?.status;
  const profilesOf = async (id: string) =>
    (await session.call<{ items: unknown[] }>("GET", `/api/profiles?connectionId=${id}`)).items.length;

  beforeAll(async () => {
    session = await startAdminSession();
    page = session.page;
    const created = await session.createConnection(first.name);
    first = { id: created.id, name: first.name };
    expect(created.status).toBe("active");
    expect((await session.runTask(first.id)).status).toBe("succeeded");
  });

  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      await saveScreenshot(page, `failed-connections-${ctx.task.name.slice(0, 30)}`, "light").catch(() => {});
    });
  });

  afterAll(async () => {
    await session?.close();
  });

  it("says a second connection is off because the first syncs, and offers the switch on the test screen", async () => {
    await page.goto("/#/connect");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Application (client) id").click();
    await typeSlowly(page, DEMO_CUSTOMER_APP.clientId, 20);
    await page.getByLabel("Client secret").click();
    await typeSlowly(page, DEMO_CUSTOMER_APP.clientSecret, 40);
    await page.getByRole("button", { name: "Create and test" }).click();
    await page.getByText("Connection works").waitFor({ timeout: 30_000 });
    const created = (await connections()).find((c) => c.id !== first.id);
    if (!created) throw new Error("the wizard created no connection");
    second = { id: created.id, name: created.name };
    expect(created.status).toBe("inactive");
    // Not "choose what to sync next" alone: the screen says it is off, why, and offers the way out.
    await page.getByText("It is switched off for now").waitFor();
    await page.getByText("Off while another connection syncs").waitFor();
    await page.getByText(`"${first.name}" already syncs this directory`).waitFor();
    await page.getByRole("button", { name: "Switch to this connection" }).waitFor();
    await expectAccessible(page, "connect test, second connection");
    await saveScreenshot(page, "connect-test-second", "light");
  });

  it("explains on Home why Sync now is disabled, with a tooltip a keyboard reaches too", async () => {
    await page.goto("/#/");
    const syncNow = page.getByRole("button", { name: `Sync now: ${second.name}` });
    await syncNow.waitFor();
    await expect(syncNow.getAttribute("aria-disabled")).resolves.toBe("true");
    await syncNow.focus();
    const tooltip = page.getByRole("tooltip");
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toContain(`off while "${first.name}" syncs the directory`);
    // The tooltip also describes the button for screen readers.
    const describedBy = (await syncNow.getAttribute("aria-describedby")) ?? "";
    expect(describedBy).not.toBe("");
    await expectAccessible(page, "home with a switched-off connection");
    await saveScreenshot(page, "home-two-connections", "light");
    // Clicking it starts nothing.
    await syncNow.click({ force: true });
    await pause(500);
    expect(page.url()).not.toContain("#/run/");
  });

  it("switches to the second connection from its card: it turns on and the first turns off", async () => {
    await page.goto("/#/");
    await page.getByRole("button", { name: "Switch to this connection" }).click();
    await pollUntil("the switch", async () => ((await statusOf(second.id)) === "active" ? true : undefined));
    expect(await statusOf(first.id)).toBe("inactive");
    await page
      .getByRole("button", { name: `Sync now: ${second.name}` })
      .and(page.locator(":not([aria-disabled='true'])"))
      .waitFor();
  });

  it("lets both sync at once after 'Allow concurrent syncing' is saved on both, the control the API's answer names", async () => {
    // Turning the first back on is refused, and the refusal names controls that exist.
    const refused = await session.stack.api(`/api/connections/${first.id}/reactivate`, {
      token: await session.stack.adminToken(),
      method: "POST",
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.remedy).toContain("Switch to this connection");
    expect(refused.body.error.remedy).toContain(
      "Allow this connection to sync while other connections are on",
    );

    for (const c of [first, second]) {
      await page.goto(`/#/connections/${c.id}/settings`);
      const allow = page.getByRole("switch", {
        name: "Allow this connection to sync while other connections are on",
      });
      await allow.click();
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByText("All changes saved.").waitFor();
      expect((await connections()).find((x) => x.id === c.id)?.allowConcurrent).toBe(true);
    }
    await page.goto(`/#/connections/${first.id}/settings`);
    await page.getByRole("switch", { name: "Connection is off: no syncs run" }).click();
    await page.getByRole("switch", { name: "Connection is on" }).waitFor();
    expect(await statusOf(first.id)).toBe("active");
    expect(await statusOf(second.id)).toBe("active");
  });

  it("deletes a connection from its card, keeping what it synced", async () => {
    await page.goto("/#/");
    const profilesBefore = await profilesOf(first.id);
    expect(profilesBefore).toBeGreaterThan(0);
    // The second connection synced nothing yet; delete it keeping its (empty) data, then the first removing its data.
    await page.getByRole("button", { name: "Delete" }).nth(1).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${second.name}?` });
    await dialog.waitFor();
    await dialog.getByText(/It has 0 synced profiles and 0 synced lists/).waitFor();
    await expect(
      dialog.getByRole("radio", { name: /^Keep the 0 profiles and 0 lists/ }).isChecked(),
    ).resolves.toBe(true);
    await expectAccessible(page, "delete connection dialog");
    await dialog.getByRole("button", { name: "Delete connection" }).click();
    await dialog.waitFor({ state: "detached" });
    expect((await connections()).map((c) => c.id)).toEqual([first.id]);
  });

  it("deletes the last connection removing its profiles, after the API's explanation of what that means", async () => {
    const profiles = await profilesOf(first.id);
    await page.goto("/#/");
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${first.name}?` });
    await dialog.getByText(new RegExp(`It has ${profiles} synced profiles`)).waitFor();
    await dialog.getByRole("radio", { name: new RegExp(`^Remove the ${profiles} profiles`) }).check();
    await saveScreenshot(page, "delete-connection-dialog", "light");
    await dialog.getByRole("button", { name: "Delete connection" }).click();
    await page.getByText("No connection to Entra ID yet").waitFor();
    expect(await connections()).toEqual([]);
    const left = await session.call<{ items: { status: string }[] }>("GET", "/api/profiles");
    expect(left.items.filter((p) => p.status === "active")).toEqual([]);
    expect(session.stack.sim.directory.listUsers(DEMO_TENANT_ID).length).toBeGreaterThan(0);
  });
});
