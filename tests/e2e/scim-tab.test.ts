import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SCIM_ATTRIBUTE_MAPPINGS, SCIM_TOKEN_PREFIX } from "../../api/contract/scim.ts";
import { type AdminSession, startAdminSession } from "./support/admin-session.ts";
import { expectAccessible, saveScreenshot, themedUrl, waitForScreen } from "./support/browser.ts";

/**
 * Push mode as an admin sets it up in the tab: a SCIM connection made in the connect wizard, its token
 * copied while it is shown, Entra's test-connection request answered with that token, a rotation whose
 * grace period keeps the old token working, a rotation that ends it at once, and the walkthrough with the
 * values to paste into Entra. Graph-only controls (Sync now, scope, schedule) are not offered.
 */
describe("SCIM push connection in the tab", () => {
  let session: AdminSession;
  let page: Page;
  const name = "Entra provisioning";
  let connectionId = "";
  let tenantUrl = "";
  let firstToken = "";
  let secondToken = "";

  /** What Entra's "Test Connection" sends: a filter on a userName that does not exist. */
  const entraTestConnection = async (token: string) => {
    const filter = encodeURIComponent(`userName eq "${crypto.randomUUID()}"`);
    const res = await fetch(`${tenantUrl}/Users?filter=${filter}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: "application/scim+json" },
    });
    return res.status;
  };

  const tokenShown = async () => page.getByLabel("Secret token", { exact: true }).inputValue();

  beforeAll(async () => {
    session = await startAdminSession();
    page = session.page;
    await session.context.grantPermissions(["clipboard-read", "clipboard-write"]);
  });

  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      await saveScreenshot(page, `failed-scim-${ctx.task.name.slice(0, 30)}`, "light").catch(() => {});
    });
  });

  afterAll(async () => {
    await session?.close();
  });

  it("creates a SCIM connection and shows its tenant URL and token once, with copy buttons", async () => {
    await page.goto("/#/connect");
    await page.getByRole("radio", { name: /Entra provisioning \(SCIM push\)/ }).check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Create tenant URL and token" }).click();

    await page.getByText("Copy the secret token now").waitFor();
    await page.getByText("It is shown only this once").waitFor();
    firstToken = await tokenShown();
    expect(firstToken.startsWith(SCIM_TOKEN_PREFIX)).toBe(true);
    await page.getByRole("button", { name: "Copy secret token" }).click();
    await page.getByRole("status").filter({ hasText: "Secret token copied to the clipboard" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(firstToken);

    const created = (
      await session.call<{ items: { id: string; name: string; kind: string }[] }>("GET", "/api/connections")
    ).items.find((c) => c.name === name);
    if (!created) throw new Error("the wizard created no connection");
    expect(created.kind).toBe("scim");
    connectionId = created.id;
    tenantUrl = await page.getByRole("textbox", { name: "Tenant URL", exact: true }).first().inputValue();
    expect(tenantUrl).toBe(`${session.stack.url}/scim/v2/${connectionId}`);
    await page.getByRole("button", { name: "Copy tenant url" }).first().click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(tenantUrl);

    await expectAccessible(page, "scim connection created");
    await saveScreenshot(page, "scim-created", "light");

    // What Entra does with the pasted values: its test connection is authorised.
    expect(await entraTestConnection(firstToken)).toBe(200);
    expect(await entraTestConnection(`${SCIM_TOKEN_PREFIX}not-the-token`)).toBe(401);

    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByLabel("Secret token", { exact: true }).count()).resolves.toBe(0);
    expect(await page.content()).not.toContain(firstToken);
  });

  it("offers no Graph sync on Home and opens the provisioning page from the card", async () => {
    await page.goto("/#/");
    const card = page.locator(`[aria-labelledby="conn-${connectionId}"]`);
    await card.getByText("Users and groups assigned to the enterprise application in Entra").waitFor();
    await expect(page.getByRole("button", { name: `Sync now: ${name}` }).count()).resolves.toBe(0);
    await saveScreenshot(page, "scim-home", "light");
    await card.getByRole("link", { name: "Entra provisioning" }).click();
    await page.getByRole("heading", { name: `Entra provisioning: ${name}` }).waitFor();
    const tokens = page.getByRole("table", { name: "Secret tokens" });
    await tokens.getByText("Current token").waitFor();
    await expect(tokens.getByRole("row").count()).resolves.toBe(2);
    await page.getByText("Entra has not sent a change yet").waitFor();
    // Entra's Test Connection in the first step only read, and the token list still says it was used.
    await expect(tokens.getByText("Not yet").count()).resolves.toBe(0);
  });

  it("shows when Entra last sent a change with the token", async () => {
    // Entra's first cycle creates a person: the page then says when, and with which token.
    const created = await fetch(`${tenantUrl}/Users`, {
      method: "POST",
      headers: { Authorization: `Bearer ${firstToken}`, "Content-Type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        externalId: crypto.randomUUID(),
        userName: "megan.bowen@contoso.example",
        active: true,
        name: { givenName: "Megan", familyName: "Bowen" },
        emails: [{ primary: true, type: "work", value: "megan.bowen@contoso.example" }],
      }),
    });
    expect(created.status).toBe(201);
    await page.reload();
    const tokens = page.getByRole("table", { name: "Secret tokens" });
    await page.getByText(/^Entra last sent a change/).waitFor();
    await tokens.getByText("Current token").waitFor();
    await expect(tokens.getByText("Not yet").count()).resolves.toBe(0);
  });

  it("rotates the token with a grace period: the old one keeps working, the new one is shown once", async () => {
    await page.getByRole("button", { name: "Rotate token" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("radio", { name: "1 hour" }).check();
    await saveScreenshot(page, "scim-rotate-dialog", "light");
    await dialog.getByRole("button", { name: "Rotate token" }).click();
    await page.getByText("Copy the secret token now").waitFor();
    secondToken = await tokenShown();
    expect(secondToken).not.toBe(firstToken);
    await page.getByText("The previous token keeps working until").waitFor();
    await page.getByRole("button", { name: "Copy secret token" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secondToken);

    const tokens = page.getByRole("table", { name: "Secret tokens" });
    await tokens.getByText(/^Until /).waitFor();
    await expect(tokens.getByRole("row").count()).resolves.toBe(3);
    expect(await entraTestConnection(firstToken)).toBe(200);
    expect(await entraTestConnection(secondToken)).toBe(200);
    await expectAccessible(page, "scim token rotated");
    await saveScreenshot(page, "scim-rotated", "light");
    await page.getByRole("button", { name: "Done" }).click();
  });

  it("rotates again ending the old token at once, as after a leak", async () => {
    await page.getByRole("button", { name: "Rotate token" }).click();
    await page
      .getByRole("dialog")
      .getByRole("radio", { name: /End it now/ })
      .check();
    await page.getByRole("dialog").getByRole("button", { name: "Rotate token" }).click();
    await page.getByText("Copy the secret token now").waitFor();
    const thirdToken = await tokenShown();
    expect(await entraTestConnection(secondToken)).toBe(401);
    expect(await entraTestConnection(thirdToken)).toBe(200);
    await page.getByRole("button", { name: "Done" }).click();
  });

  it("says why a rotation failed, and opens the dialog afresh the next time", async () => {
    const doomed = await session.call<{ id: string }>("POST", "/api/connections", {
      name: "Deleted while rotating",
      kind: "scim",
    });
    await page.goto(`/#/connections/${doomed.id}/scim`);
    await page.getByRole("button", { name: "Rotate token" }).click();
    const dialog = page.getByRole("dialog");
    await session.call("DELETE", `/api/connections/${doomed.id}?confirm=true&data=remove`);
    await dialog.getByRole("button", { name: "Rotate token" }).click();
    await dialog.getByText("The token was not rotated").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Rotate token" }).click();
    await dialog.getByRole("radiogroup").waitFor();
    await expect(dialog.getByText("The token was not rotated").count()).resolves.toBe(0);
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("walks through Entra's setup with the values to paste and the mappings to keep", async () => {
    await page.goto(`/#/connections/${connectionId}/scim`);
    const walkthrough = page.getByRole("list", { name: "Set up provisioning in Entra" });
    for (const step of [
      "1. Create an enterprise application",
      "2. Assign the people and groups to sync",
      "3. Turn on automatic provisioning",
      "4. Paste the tenant URL and secret token",
      "5. Check the attribute mappings",
      "6. Choose the scope and the deletion threshold",
      "7. Start provisioning",
    ])
      await walkthrough.getByRole("heading", { name: step }).waitFor();
    await walkthrough
      .getByText("Integrate any other application you don't find in the gallery (Non-gallery)")
      .waitFor();
    expect(await walkthrough.getByRole("textbox", { name: "Tenant URL", exact: true }).inputValue()).toBe(
      tenantUrl,
    );
    const mappings = page.getByRole("table", { name: "Attribute mappings to keep" });
    await expect(mappings.getByRole("row").count()).resolves.toBe(SCIM_ATTRIBUTE_MAPPINGS.length + 1);
    const objectId = mappings.getByRole("row").filter({ hasText: "objectId" });
    await objectId.getByText("externalId").waitFor();
    await objectId.getByText("Required").waitFor();
    await expectAccessible(page, "scim walkthrough");
    await saveScreenshot(page, "scim-walkthrough", "light");
  });

  it("keeps Graph-only settings away from a push connection", async () => {
    await page.goto(`/#/connections/${connectionId}/settings`);
    const tabs = page.getByRole("tablist", { name: "Settings" });
    await tabs.waitFor();
    await expect(tabs.getByRole("tab").count()).resolves.toBe(2);
    await tabs.getByRole("tab", { name: "Connection" }).waitFor();
    await tabs.getByRole("tab", { name: "Deletions" }).waitFor();
    await page.getByRole("link", { name: "Tenant URL, secret tokens and the Entra setup" }).waitFor();
    await tabs.getByRole("tab", { name: "Deletions" }).click();
    await page.getByText("Entra's provisioning service sends deletions and deactivations itself").waitFor();
    await expect(page.getByRole("switch", { name: /Mirror Entra ID/ }).count()).resolves.toBe(0);
    await expectAccessible(page, "scim settings");
    await saveScreenshot(page, "scim-settings-deletions", "light");
  });

  it("reads well in the dark and high-contrast themes too", async () => {
    for (const theme of ["dark", "contrast"] as const) {
      await page.goto(themedUrl(`/#/connections/${connectionId}/scim`, theme));
      await waitForScreen(page);
      await page.getByRole("table", { name: "Attribute mappings to keep" }).waitFor();
      await expectAccessible(page, `scim setup, ${theme}`);
      await saveScreenshot(page, "scim-setup", theme);
    }
  });

  it("says a push connection that starts switched off refuses Entra, and switches it on", async () => {
    const second = await session.call<{
      id: string;
      status: string;
      scim: { token: string; tenantUrl: string };
    }>("POST", "/api/connections", { name: "Second provisioning", kind: "scim" });
    expect(second.status).toBe("inactive");
    const testWith = async (token: string) =>
      (
        await fetch(`${second.scim.tenantUrl}/Users?filter=${encodeURIComponent('userName eq "nobody"')}`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status;
    expect(await testWith(second.scim.token)).toBe(401);
    await page.goto(`/#/connections/${second.id}/scim`);
    const header = page.locator("header").filter({ hasText: "Entra provisioning: Second provisioning" });
    await header.getByText("Inactive", { exact: true }).waitFor();
    await page.getByText("While this connection is off, the endpoint refuses Entra's requests").waitFor();
    await expectAccessible(page, "scim setup, switched off");
    await saveScreenshot(page, "scim-setup-off", "light");
    await page.getByRole("button", { name: "Switch to this connection" }).click();
    await page.getByText("While this connection is off").waitFor({ state: "detached" });
    // The page's own status follows, not only the notice: a stale "Inactive" would send the admin back to it.
    await header.getByText("Active", { exact: true }).waitFor();
    expect(await testWith(second.scim.token)).toBe(200);
  });
});
