import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT_ID } from "../../sim/index.ts";
import { pollUntil } from "../support/full-stack.ts";
import { type AdminSession, startAdminSession, typeSlowly, UI_TIMEOUT } from "./support/admin-session.ts";
import { expectAccessible, saveScreenshot } from "./support/browser.ts";

/**
 * The "API and webhooks" screen the way a Directory Sync admin uses it, in Chromium against the whole local
 * stack: create a key (typing at a person's pace, clicking Create twice), copy it once, see it work and then
 * revoke it; register a receiver, copy its signing secret, send a test, follow real deliveries in the log,
 * redeliver one, watch the live events, and see the banner once the endpoint is switched off for failing.
 */

const DAY = 24 * 60 * 60 * 1000;

interface Received {
  id: string;
  type: string;
  verified: boolean;
}

describe("API and webhooks screen", () => {
  let session: AdminSession;
  let page: Page;
  let receiver: Server;
  let receiverUrl = "";
  let connectionId = "";
  let receiverStatus = 200;
  let signingSecret = "";
  let createdKey = "";
  const received: Received[] = [];

  beforeAll(async () => {
    session = await startAdminSession(undefined, {
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true",
      WEBHOOK_RETRY_BASE_MS: "100",
    });
    page = session.page;
    await session.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    connectionId = (await session.createConnection("Contoso directory")).id;
    await session.runTask(connectionId);
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        let verified = false;
        try {
          if (signingSecret) new Webhook(signingSecret).verify(body, req.headers as Record<string, string>);
          verified = !!signingSecret;
        } catch {
          verified = false;
        }
        const event = JSON.parse(body) as { id: string; type: string };
        received.push({ id: event.id, type: event.type, verified });
        res.writeHead(receiverStatus, { "content-type": "text/plain" });
        res.end(receiverStatus < 300 ? `stored ${event.type}` : "receiver is down");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/directory-hook`;
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await new Promise((r) => receiver?.close(r));
  });

  it("creates a key once for a double click, shows it once to copy, and the key works", async () => {
    await page.getByRole("link", { name: "API and webhooks" }).click();
    await page.getByRole("heading", { name: "API and webhooks", level: 1 }).waitFor();
    await page.getByRole("textbox", { name: "Name" }).click();
    await typeSlowly(page, "Marketing platform");
    // The marketing platform only reads: take away webhooks (not ticked) and keep the two read scopes.
    await page.getByRole("textbox", { name: "Expires (optional)" }).fill("2099-12-31");
    await page.getByRole("button", { name: "Create API key" }).dblclick();

    const shown = page.getByRole("textbox", { name: "API key" });
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key).toMatch(/^eds_/);
    await page.getByRole("button", { name: "Copy API key" }).click();
    await page.getByRole("status").filter({ hasText: "API key copied to the clipboard" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await saveScreenshot(page, "api-key-shown-once", "light");
    await page.getByRole("button", { name: "Done" }).click();

    // Gone from the screen for good, and only one key for the two clicks.
    await page.getByRole("table", { name: "API keys" }).waitFor();
    expect(await page.content()).not.toContain(key);
    const keys = await session.call<{ items: { name: string; prefix: string; scopes: string[] }[] }>(
      "GET",
      "/api/api-keys",
    );
    const made = keys.items.filter((k) => k.name === "Marketing platform");
    expect(made).toHaveLength(1);
    expect(made[0]?.scopes.sort()).toEqual(["directory:read", "events:read"]);
    const row = page.getByRole("row", { name: /Marketing platform/ });
    await expect(row.textContent()).resolves.toContain(made[0]?.prefix);
    await expect(row.textContent()).resolves.toContain("Never");

    // The application uses the key it was given.
    const asApp = await session.stack.api("/api/v1/profiles?limit=1", { token: key });
    expect(asApp.status).toBe(200);
    await page.reload();
    await expect(
      page
        .getByRole("row", { name: /Marketing platform/ })
        .getByRole("cell")
        .nth(3)
        .textContent(),
    ).resolves.not.toBe("Never");
    createdKey = key;
  }, 120_000);

  it("revokes the key after a confirmation, and the application is refused at once", async () => {
    const key = createdKey;
    await page.getByRole("button", { name: "Revoke Marketing platform" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke Marketing platform?" });
    await dialog.waitFor();
    await expectAccessible(page, "revoke dialog");
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await page
      .getByRole("row", { name: /Marketing platform/ })
      .getByText(/^Revoked/)
      .waitFor();
    expect(await page.getByRole("button", { name: "Revoke Marketing platform" }).count()).toBe(0);
    const refused = await session.stack.api("/api/v1/profiles?limit=1", { token: key });
    expect(refused.status).toBe(401);
  }, 60_000);

  it("registers a receiver once for a double click, signs what it sends, and logs and redelivers it", async () => {
    await page.getByRole("textbox", { name: "Receiver URL" }).click();
    await typeSlowly(page, receiverUrl, 40);
    await page.getByRole("button", { name: "Add endpoint" }).dblclick();
    const shown = page.getByRole("textbox", { name: "Signing secret" });
    await shown.waitFor();
    signingSecret = await shown.inputValue();
    expect(signingSecret).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "Copy signing secret" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(signingSecret);
    await page.getByRole("button", { name: "Done" }).click();
    const endpoints = await session.call<{ data: { id: string; url: string }[] }>("GET", "/api/v1/webhooks");
    expect(endpoints.data.filter((e) => e.url === receiverUrl)).toHaveLength(1);

    // A test send reaches the receiver, signed with the secret the admin copied.
    await page.getByRole("button", { name: "Send test event" }).click();
    await page
      .getByText(/Test event delivered: 200 in \d+ ms/)
      .first()
      .waitFor();
    expect(received.find((r) => r.type === "webhook.test")?.verified).toBe(true);

    // A change in Entra, synced, is delivered and shows in the log with the receiver's answer.
    const sim = session.stack.sim.directory;
    const adele = sim.listUsers(DEMO_TENANT_ID).find((u) => u.displayName === "Adele Vance");
    sim.updateUser(DEMO_TENANT_ID, adele?.id as string, { jobTitle: "Chief Listener" });
    await session.runTask(connectionId, "incremental");
    const delivered = await pollUntil("the profile.updated delivery", async () =>
      received.find((r) => r.type === "profile.updated"),
    );
    expect(delivered.verified).toBe(true);

    await page.getByRole("button", { name: "Delivery log" }).click();
    const log = page.getByRole("table", { name: `Deliveries to ${receiverUrl}` });
    const row = log.getByRole("row", { name: /profile\.updated/ }).first();
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain("Delivered");
    expect(text).toMatch(/200/);
    expect(text).toMatch(/\d+ ms/);
    expect(text).toContain("stored profile.updated");
    await saveScreenshot(page, "api-webhook-delivery-log", "light");

    // Redelivering one sends the same event id again.
    const before = received.filter((r) => r.id === delivered.id).length;
    await row.getByRole("button", { name: "Redeliver", exact: true }).click();
    await page.getByText("1 event queued for delivery").first().waitFor();
    await pollUntil("the redelivery", async () =>
      received.filter((r) => r.id === delivered.id).length > before ? true : undefined,
    );
  }, 120_000);

  it("shows the change feed as it grows", async () => {
    const events = page.getByRole("table", { name: "Latest events" });
    await events
      .getByRole("row", { name: /profile\.updated.*Adele Vance/ })
      .first()
      .waitFor();
    const sim = session.stack.sim.directory;
    const megan = sim.listUsers(DEMO_TENANT_ID).find((u) => u.displayName === "Megan Bowen");
    sim.updateUser(DEMO_TENANT_ID, megan?.id as string, { jobTitle: "Head of Polling" });
    await session.runTask(connectionId, "incremental");
    // Polled, not reloaded: the row arrives on the open screen.
    await events
      .getByRole("row", { name: /profile\.updated.*Megan Bowen/ })
      .first()
      .waitFor({ timeout: UI_TIMEOUT });
  }, 60_000);

  it("says so at the top when an endpoint was switched off after days of failures", async () => {
    receiverStatus = 503;
    // Deliveries have been failing for six days (the dispatcher records when the streak began).
    const endpoint = (await session.call<{ data: { id: string }[] }>("GET", "/api/v1/webhooks")).data[0];
    const store = session.stack.running.store;
    await store.webhookEndpoints.update(DEMO_TENANT_ID, endpoint?.id as string, (c) => ({
      ...c,
      failingSince: new Date(Date.now() - 6 * DAY).toISOString(),
    }));
    const sim = session.stack.sim.directory;
    const adele = sim.listUsers(DEMO_TENANT_ID).find((u) => u.displayName === "Adele Vance");
    sim.updateUser(DEMO_TENANT_ID, adele?.id as string, { jobTitle: "Chief Listener, again" });
    await session.runTask(connectionId, "incremental");
    await pollUntil("the endpoint switched off", async () => {
      const list = await session.call<{ data: { status: string }[] }>("GET", "/api/v1/webhooks");
      return list.data[0]?.status === "disabled" ? true : undefined;
    });
    await page.reload();
    const banner = page.getByText(`Webhook endpoint ${receiverUrl} is switched off`);
    await banner.waitFor();
    await page.getByRole("button", { name: "Delivery log" }).click();
    await page.getByRole("table", { name: `Deliveries to ${receiverUrl}` }).waitFor();
    await saveScreenshot(page, "api-webhook-disabled-banner", "light");
    await expectAccessible(page, "API and webhooks with a disabled endpoint and its log");

    // Home says it too, with the way to the screen that fixes it.
    await page.getByRole("link", { name: "Home" }).click();
    await page.getByText("A webhook endpoint was switched off").waitFor();
    await page.getByRole("link", { name: "Open API and webhooks" }).click();
    await page.getByRole("heading", { name: "API and webhooks", level: 1 }).waitFor();
  }, 90_000);
});
