import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../api/config/config.ts";

const base = {
  COSMOS_ENDPOINT: "https://example.documents.azure.com",
  AUTH_CLIENT_ID: "6a3b8f2e-1d4c-4e7a-9b05-c8e2d1f4a763",
  BOT_APP_ID: "0d2f5a1c-7b3e-4c9d-8e6f-1a2b3c4d5e6f",
  BOT_APP_PASSWORD: "bot-secret",
};

describe("configuration", () => {
  it("fills production defaults for Microsoft's endpoints", () => {
    const config = loadConfig(base);
    expect(config.GRAPH_BASE_URL).toBe("https://graph.microsoft.com");
    expect(config.AUTHORITY_HOST).toBe("https://login.microsoftonline.com");
    expect(config.ADMIN_APP_ROLES).toEqual(["DirectorySync.Admin"]);
    expect(config.publicUrl).toBe("http://localhost:3978");
  });

  it("names every bad variable and what is wrong with it", () => {
    let error: unknown;
    try {
      loadConfig({
        ...base,
        COSMOS_ENDPOINT: "http://insecure",
        AUTH_CLIENT_ID: "not-a-guid",
        PORT: "70000",
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toMatch(/COSMOS_ENDPOINT: must be an https URL/);
    expect(problems).toMatch(/AUTH_CLIENT_ID: must be a GUID/);
    expect(problems).toMatch(/PORT: /);
  });

  it("refuses an unsigned bot endpoint unless explicitly allowed for local testing", () => {
    const { BOT_APP_ID: _omit, ...noBot } = base;
    expect(() => loadConfig(noBot)).toThrow(/BOT_APP_ID: is required/);
    expect(loadConfig({ ...noBot, BOT_ALLOW_UNSIGNED: "true" }).BOT_ALLOW_UNSIGNED).toBe(true);
  });

  it("asks each bot identity for what it needs: a secret for an Entra app, none for the managed identity", () => {
    const tenant = { BOT_APP_TENANT_ID: "2f1c7a3e-4b9d-4e61-8a52-6d0c3b9e7f14" };
    const { BOT_APP_PASSWORD: _secret, ...noSecret } = base;
    expect(loadConfig({ ...noSecret, ...tenant, BOT_APP_TYPE: "UserAssignedMSI" }).BOT_APP_TYPE).toBe(
      "UserAssignedMSI",
    );
    expect(() => loadConfig({ ...base, ...tenant, BOT_APP_TYPE: "UserAssignedMSI" })).toThrow(
      /BOT_APP_PASSWORD: must be empty for UserAssignedMSI/,
    );
    expect(() => loadConfig({ ...noSecret, BOT_APP_TYPE: "UserAssignedMSI" })).toThrow(
      /BOT_APP_TENANT_ID: is required when the bot is UserAssignedMSI/,
    );
    expect(() => loadConfig({ ...noSecret, ...tenant })).toThrow(
      /BOT_APP_PASSWORD: is required when the bot is SingleTenant/,
    );
    expect(() => loadConfig({ ...base, BOT_APP_TYPE: "Federated" })).toThrow(/BOT_APP_TYPE: /);
  });
});
