import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ConversationReference } from "botbuilder";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBotModule } from "../../api/app/bot-module.ts";
import { createBotRecords } from "../../api/app/bot-records.ts";
import { loadConfig } from "../../api/config/config.ts";
import { EventBus } from "../../api/events.ts";
import { startTestStore } from "../support/stack.ts";
import { ConnectorStandIn } from "./support/connector-stand-in.ts";
import { FakeSync } from "./support/fake-sync.ts";

const MSI_CLIENT_ID = "7c2e9b14-3f5a-4d8e-a1b6-0c9d8e7f6a5b";
const TENANT = "2f1c7a3e-4b9d-4e61-8a52-6d0c3b9e7f14";

/**
 * BOT_APP_TYPE=UserAssignedMSI as infra deploys it: the bot has no secret, and its messages to the Bot
 * Connector carry a token the App Service managed identity endpoint issued for BOT_APP_ID. The endpoint
 * is a local stand-in speaking App Service's protocol (IDENTITY_ENDPOINT, X-IDENTITY-HEADER), reached
 * through the same environment variables App Service sets.
 */
describe("the bot as the app's user-assigned managed identity", () => {
  const connector = new ConnectorStandIn();
  const identityRequests: { clientId: string | null; resource: string | null; header: unknown }[] = [];
  let identity: Server;
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  beforeAll(async () => {
    await connector.start();
    identity = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      identityRequests.push({
        clientId: url.searchParams.get("client_id"),
        resource: url.searchParams.get("resource"),
        header: req.headers["x-identity-header"],
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          access_token: "token-from-the-managed-identity",
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: url.searchParams.get("resource"),
          token_type: "Bearer",
          client_id: url.searchParams.get("client_id"),
        }),
      );
    });
    await new Promise<void>((resolve) => identity.listen(0, "127.0.0.1", resolve));
    process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${(identity.address() as AddressInfo).port}/msi/token`;
    process.env.IDENTITY_HEADER = "identity-header-secret";
    stack = await startTestStore();
  });

  afterAll(async () => {
    if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
    else process.env.IDENTITY_ENDPOINT = saved.endpoint;
    if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
    else process.env.IDENTITY_HEADER = saved.header;
    await connector.close();
    identity?.close();
    await stack?.close();
  });

  it("posts to the Bot Connector with the managed identity's token, no password configured", async () => {
    const config = loadConfig({
      COSMOS_ENDPOINT: "https://localhost:8081",
      AUTH_CLIENT_ID: "6a3b8f2e-1d4c-4e7a-9b05-c8e2d1f4a763",
      BOT_APP_ID: MSI_CLIENT_ID,
      BOT_APP_TENANT_ID: TENANT,
      BOT_APP_TYPE: "UserAssignedMSI",
    });
    expect(config.BOT_APP_PASSWORD).toBeUndefined();
    const bot = createBotModule({
      config,
      records: createBotRecords(stack.store),
      events: new EventBus(stack.store),
      sync: new FakeSync(stack.store),
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
    });
    try {
      const reference: Partial<ConversationReference> = {
        channelId: "msteams",
        serviceUrl: connector.serviceUrl,
        conversation: { id: "19:admins@thread.tacv2", isGroup: true, conversationType: "channel", name: "" },
        bot: { id: `28:${MSI_CLIENT_ID}`, name: "Directory Sync" },
      };
      await bot.adapter.continueConversationAsync(MSI_CLIENT_ID, reference, async (context) => {
        await context.sendActivity("Directory sync finished");
      });
    } finally {
      bot.close();
    }
    const posted = connector.calls.filter((c) => c.method === "POST");
    expect(posted).toHaveLength(1);
    expect(posted[0]?.authorization).toBe("Bearer token-from-the-managed-identity");
    expect(identityRequests[0]).toEqual({
      clientId: MSI_CLIENT_ID,
      resource: "https://api.botframework.com",
      header: "identity-header-secret",
    });
  });
});
