import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_CUSTOMER_APP,
  DEMO_ORDINARY_USER_ID,
  DEMO_TENANT_ID,
  type RunningSimulator,
} from "../../sim/index.ts";
import { appToken, graph, startTestSimulator } from "./helpers.ts";

const MAILBOX = "admin@M365x214355.onmicrosoft.com";
const APP_BIND =
  "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/0bd1e4c2-6a14-4b38-9a54-9d3e0b0f1c11";

const message = (to: string) => ({
  message: {
    subject: "Welcome",
    body: { contentType: "Text", content: "Hello" },
    toRecipients: [{ emailAddress: { address: to } }],
  },
  saveToSentItems: false,
});

describe("messaging through Graph", () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await startTestSimulator();
    sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, [
      "Mail.Send",
      "TeamsAppInstallation.ReadWriteForUser.All",
    ]);
    token = await appToken(sim);
  });
  afterAll(() => sim?.close());
  beforeEach(() => sim.directory.clearOutbox());

  it("accepts mail with 202 and no body, and records what was sent from which mailbox", async () => {
    const res = await graph(sim, token, `/users/${MAILBOX}/sendMail`, {
      method: "POST",
      body: message("AdeleV@M365x214355.onmicrosoft.com"),
    });
    expect(res.status).toBe(202);
    expect(res.body).toBeFalsy();
    expect(sim.directory.listSentMail(DEMO_TENANT_ID)).toEqual([
      expect.objectContaining({
        from: MAILBOX.toLowerCase(),
        to: ["AdeleV@M365x214355.onmicrosoft.com"],
        subject: "Welcome",
        contentType: "text",
        body: "Hello",
        saveToSentItems: false,
        appId: DEMO_CUSTOMER_APP.clientId,
      }),
    ]);
  });

  it("refuses mail without recipients, from an unknown mailbox, or outside the access policy", async () => {
    const none = await graph(sim, token, `/users/${MAILBOX}/sendMail`, {
      method: "POST",
      body: { message: { subject: "x", toRecipients: [] } },
    });
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe("ErrorInvalidRecipients");
    const unknown = await graph(sim, token, "/users/nobody@M365x214355.onmicrosoft.com/sendMail", {
      method: "POST",
      body: message("a@b.example"),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("ErrorInvalidUser");
    sim.directory.restrictMailboxes(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, ["welcome@contoso.com"]);
    const denied = await graph(sim, token, `/users/${MAILBOX}/sendMail`, {
      method: "POST",
      body: message("a@b.example"),
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("ErrorAccessDenied");
    expect(sim.directory.listSentMail()).toEqual([]);
  });

  it("needs Mail.Send", async () => {
    sim.directory.revokeConsent(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, ["User.Read.All"]);
    const limited = await appToken(sim);
    const res = await graph(sim, limited, `/users/${MAILBOX}/sendMail`, {
      method: "POST",
      body: message("a@b.example"),
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("Authorization_RequestDenied");
    sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, [
      "Mail.Send",
      "TeamsAppInstallation.ReadWriteForUser.All",
    ]);
  });

  it("installs an app for a user with 201, then answers 409 Conflict", async () => {
    const path = `/users/${DEMO_ORDINARY_USER_ID}/teamwork/installedApps`;
    const first = await graph(sim, token, path, {
      method: "POST",
      body: { "teamsApp@odata.bind": APP_BIND },
    });
    expect(first.status).toBe(201);
    const again = await graph(sim, token, path, {
      method: "POST",
      body: { "teamsApp@odata.bind": APP_BIND },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("Conflict");
    const missing = await graph(sim, token, `/users/${DEMO_ADMIN_USER_ID}/teamwork/installedApps`, {
      method: "POST",
      body: {},
    });
    expect(missing.status).toBe(400);
    expect(sim.directory.listUserAppInstallations(DEMO_TENANT_ID)).toEqual([
      expect.objectContaining({
        userId: DEMO_ORDINARY_USER_ID,
        teamsAppId: "0bd1e4c2-6a14-4b38-9a54-9d3e0b0f1c11",
      }),
    ]);
  });

  it("fails a send on an injected fault, as tests of failure handling need", async () => {
    sim.directory.injectFault({
      method: "POST",
      pathPattern: "/sendMail$",
      status: 503,
      code: "ServiceUnavailable",
      times: 1,
    });
    const res = await graph(sim, token, `/users/${MAILBOX}/sendMail`, {
      method: "POST",
      body: message("a@b.example"),
    });
    expect(res.status).toBe(503);
    expect(sim.directory.listSentMail()).toEqual([]);
  });
});
