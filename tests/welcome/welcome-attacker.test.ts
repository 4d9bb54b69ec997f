import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID, OTHER_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";

/** The "send a test to me" route as a reader, another tenant's admin, and a template carrying markup would use it. */
describe("the welcome test-send route under hostile requests", () => {
  let s: FullStack;
  let admin: string;
  let connectionId: string;
  let welcome: Record<string, unknown>;

  beforeAll(async () => {
    s = await startFullStack();
    admin = await s.adminToken();
    connectionId = (await s.createDemoConnection(admin)).body.id;
    welcome = (await s.api(`/api/connections/${connectionId}`, { token: admin })).body.settings.welcome;
  });
  afterAll(() => s?.close());

  const sendTest = (token: string, json: unknown) =>
    s.api(`/api/connections/${connectionId}/welcome/test`, { token, method: "POST", json });

  it("refuses a reader and another tenant's admin without sending anything", async () => {
    s.sim.directory.clearOutbox();
    const valid = { welcome: { ...welcome, channel: "email", mailbox: "admin@M365x214355.onmicrosoft.com" } };
    expect((await sendTest(await s.readerToken(), valid)).status).toBe(403);
    expect((await sendTest(await s.adminToken(OTHER_TENANT_ID), valid)).status).toBe(404);
    expect(s.sim.directory.listSentMail()).toEqual([]);
  });

  it("sends markup in the template as plain text, so a mail client shows it rather than runs it", async () => {
    s.sim.directory.clearOutbox();
    s.sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, ["Mail.Send"]);
    const markup = '<script>alert(1)</script><a href="https://evil.example">sign in</a>';
    const sent = await sendTest(admin, {
      welcome: {
        ...welcome,
        channel: "email",
        mailbox: "admin@M365x214355.onmicrosoft.com",
        body: `Hello {firstName} ${markup}`,
      },
    });
    expect(sent.status, sent.text).toBe(200);
    const [mail] = s.sim.directory.listSentMail(DEMO_TENANT_ID);
    expect(mail?.contentType.toLowerCase()).toBe("text");
    expect(mail?.body).toContain(markup);
  });

  it("refuses a test email without a sending mailbox, naming the field, instead of calling Graph", async () => {
    s.sim.directory.clearOutbox();
    const sent = await sendTest(admin, {
      welcome: { ...welcome, enabled: false, channel: "email", mailbox: "" },
    });
    expect(sent.status, sent.text).toBe(400);
    expect(sent.text).toContain("welcome.mailbox");
    expect(s.sim.directory.listSentMail()).toEqual([]);
  });
});
