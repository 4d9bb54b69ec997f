import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, pollUntil, startFullStack } from "../support/full-stack.ts";

const T = DEMO_TENANT_ID;
const DOMAIN = "M365x214355.onmicrosoft.com";
const ADMIN_UPN = `admin@${DOMAIN}`;

/** Welcome notices through the API of the full stack, as the tab uses it. */
describe("welcome notices through the API", () => {
  let s: FullStack;
  let admin: string;
  let connectionId: string;

  beforeAll(async () => {
    s = await startFullStack();
    admin = await s.adminToken();
    connectionId = (await s.createDemoConnection(admin)).body.id;
  });
  afterAll(() => s?.close());

  const patchWelcome = async (welcome: Record<string, unknown>) => {
    const current = await s.api(`/api/connections/${connectionId}`, { token: admin });
    return s.api(`/api/connections/${connectionId}`, {
      token: admin,
      method: "PATCH",
      headers: { "if-match": current.headers.get("etag") ?? "" },
      json: {
        settings: { ...current.body.settings, welcome: { ...current.body.settings.welcome, ...welcome } },
      },
    });
  };
  const runAndWelcome = async (type: string) => {
    const started = await s.api(`/api/connections/${connectionId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type },
    });
    expect(started.status, started.text).toBe(202);
    const task = await s.waitForTask(started.body.id);
    expect(task.status).toBe("succeeded");
    // The task reads as ended a moment before its end is announced; the notices' pass starts with that.
    await pollUntil("the welcome pass to look at the run", async () => {
      const state = await s.running.store.welcomeNotices.get(T, `welcome-state.${connectionId}`);
      return state?.type === "welcomeState" && (state.processedThrough ?? "") >= (task.finishedAt ?? "")
        ? state
        : undefined;
    });
    await s.running.welcome.idle();
    return task;
  };

  it("refuses settings naming the field: mailbox missing, unknown placeholder, brace left open", async () => {
    const res = await patchWelcome({
      enabled: true,
      channel: "email",
      mailbox: "",
      subject: "Hi {nickname}",
      body: "Open {appLink",
    });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual({
      "settings.welcome.subject": expect.stringMatching(/^\{nickname\} is not a placeholder; use /),
      "settings.welcome.body": expect.stringContaining("does not start a placeholder such as {firstName}"),
      "settings.welcome.mailbox": "name the mailbox email notices are sent from",
    });
  });

  it("switched on, the connection test checks Mail.Send, which syncing itself does not need", async () => {
    const saved = await patchWelcome({
      enabled: true,
      channel: "email",
      mailbox: ADMIN_UPN,
      existingPeople: "skip",
      appLink: "https://portal.contoso.com",
      subject: "Welcome, {firstName}",
      body: "Hello {displayName}: {appLink}",
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.settings.welcome).toMatchObject({ enabled: true, mailbox: ADMIN_UPN.toLowerCase() });
    const missing = await s.api(`/api/connections/${connectionId}/test`, { token: admin, method: "POST" });
    expect(missing.body.ok).toBe(true);
    expect(missing.body.checks).toContainEqual(
      expect.objectContaining({ permission: "Mail.Send", status: "missing", optional: true }),
    );
    s.sim.directory.grantAppPermissions(T, DEMO_CUSTOMER_APP.clientId, ["Mail.Send"]);
    const granted = await s.api(`/api/connections/${connectionId}/test`, { token: admin, method: "POST" });
    expect(granted.body.checks).toContainEqual(
      expect.objectContaining({ permission: "Mail.Send", status: "granted" }),
    );
  });

  it("shows each notice in the task details, the CSV and why", async () => {
    await runAndWelcome("full");
    expect(s.sim.directory.listSentMail(T)).toEqual([]);
    const mail = `Wendy.Welcome@${DOMAIN}`;
    s.sim.directory.addUser(T, {
      displayName: "Wendy Welcome",
      givenName: "Wendy",
      surname: "Welcome",
      mail,
      userPrincipalName: mail,
    });
    const task = await runAndWelcome("incremental");
    expect(s.sim.directory.listSentMail(T).map((m) => [m.to, m.subject])).toEqual([
      [[mail], "Welcome, Wendy"],
    ]);

    const records = await s.api(`/api/tasks/${task.id}/records?action=created`, { token: admin });
    expect(records.body.items).toEqual([
      expect.objectContaining({
        name: "Wendy Welcome",
        welcome: expect.objectContaining({ status: "sent", channel: "email" }),
      }),
    ]);
    const csv = await s.api(`/api/tasks/${task.id}/records.csv?action=created`, { token: admin });
    const [header, row] = csv.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split(/\r?\n/);
    expect(header?.endsWith(",Welcome notice,Welcome notice detail")).toBe(true);
    expect(row).toMatch(/,sent \(email\),$/);

    const why = await s.api(`/api/why?who=${encodeURIComponent(mail)}`, { token: admin });
    expect(why.status, why.text).toBe(200);
    expect(why.body.welcome).toMatchObject({ status: "sent", channel: "email", attempts: 1 });
  });

  it("sends a test to the admin, filled from a real synced profile, and says why when it cannot", async () => {
    s.sim.directory.clearOutbox();
    const profiles = await s.api(`/api/profiles?q=${encodeURIComponent("Wendy")}`, { token: admin });
    const profileId = profiles.body.items[0].id as string;
    const current = (await s.api(`/api/connections/${connectionId}`, { token: admin })).body.settings.welcome;
    const test = await s.api(`/api/connections/${connectionId}/welcome/test`, {
      token: admin,
      method: "POST",
      json: { welcome: { ...current, subject: "Test for {firstName}" }, profileId },
    });
    expect(test.status, test.text).toBe(200);
    expect(test.body).toEqual({
      to: ADMIN_UPN,
      subject: "Test for Wendy",
      body: "Hello Wendy Welcome: https://portal.contoso.com",
    });
    expect(s.sim.directory.listSentMail(T).map((m) => m.to)).toEqual([[ADMIN_UPN]]);

    const failing = await s.api(`/api/connections/${connectionId}/welcome/test`, {
      token: admin,
      method: "POST",
      json: { welcome: { ...current, mailbox: `nobody@${DOMAIN}` } },
    });
    expect(failing.status).toBe(502);
    expect(failing.body.error).toMatchObject({ code: "welcome-test-failed" });
    expect(failing.body.error.message).toContain(`Check that nobody@${DOMAIN.toLowerCase()} is a mailbox`);
  });

  it("removes the connection's welcome notices with its data", async () => {
    const count = () =>
      s.running.store.welcomeNotices.count(T, {
        where: "c.connectionId = @c",
        parameters: [{ name: "@c", value: connectionId }],
      });
    expect(await count()).toBeGreaterThan(0);
    const deleted = await s.api(`/api/connections/${connectionId}?confirm=true&data=remove`, {
      token: admin,
      method: "DELETE",
    });
    expect(deleted.status, deleted.text).toBe(200);
    expect(await count()).toBe(0);
  });
});
