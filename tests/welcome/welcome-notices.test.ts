import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WelcomeSettings } from "../../api/domain/welcome.ts";
import type { ConnectionDoc, WelcomeNoticeDoc } from "../../api/store/documents.ts";
import { welcomeNoticeId } from "../../api/welcome/notices.ts";
import { WelcomeService } from "../../api/welcome/service.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { SyncHarness } from "../support/sync-harness.ts";

const T = DEMO_TENANT_ID;
const DOMAIN = "M365x214355.onmicrosoft.com";
const MAILBOX = `admin@${DOMAIN}`;

/** Welcome notices through the simulator's Graph and the real Cosmos protocol server. */
describe("welcome notices", () => {
  let h: SyncHarness;
  let welcome: WelcomeService;
  let added = 0;

  const service = (owner: string) =>
    new WelcomeService({
      store: h.store,
      graphFor: async (c) => h.credentials.graphFor(c),
      logger: pino({ level: "silent" }),
      owner,
      spacingMs: { email: 0, teams: 0 },
    });

  beforeAll(async () => {
    h = await SyncHarness.start();
    h.sim.directory.grantAppPermissions(T, DEMO_CUSTOMER_APP.clientId, ["Mail.Send"]);
    welcome = service("instance-a");
    h.bus.subscribe(welcome.listener());
  });
  afterAll(() => h?.close());
  beforeEach(() => {
    h.sim.directory.clearOutbox();
    h.sim.directory.clearFaults();
  });

  const on = (change: Partial<WelcomeSettings> = {}) => ({
    welcome: {
      enabled: true,
      channel: "email" as const,
      mailbox: MAILBOX,
      appLink: "https://portal.contoso.com",
      subject: "Welcome, {firstName}",
      body: "Hello {displayName}, open {appLink}",
      ...change,
    },
  });

  /** Adds people to Entra ID, each with a unique address. */
  function newPeople(n: number): { id: string; mail: string }[] {
    return Array.from({ length: n }, () => {
      added++;
      const mail = `Newcomer${added}@${DOMAIN}`;
      const user = h.sim.directory.addUser(T, {
        displayName: `Newcomer ${added}`,
        givenName: `Nova${added}`,
        surname: "Newcomer",
        mail,
        userPrincipalName: mail,
      });
      return { id: user.id, mail };
    });
  }

  /** Runs a sync and waits for the notices its end starts. */
  async function run(connection: ConnectionDoc, type: "full" | "incremental" | "preview" = "full") {
    const task = await h.run(connection, type);
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    await welcome.idle();
    return task;
  }

  const sentTo = () => h.sim.directory.listSentMail(T).flatMap((m) => m.to.map((a) => a.toLowerCase()));

  const notice = (connection: ConnectionDoc, sourceId: string) =>
    h.store.welcomeNotices.get(T, welcomeNoticeId(T, connection.id, sourceId)) as Promise<
      WelcomeNoticeDoc | undefined
    >;

  it("a first sync of an existing tenant welcomes nobody by surprise; a later run creating 3 people sends 3", async () => {
    const c = await h.connect(on({ existingPeople: "skip" }));
    const first = await run(c);
    expect(first.counters.users.created).toBeGreaterThan(10);
    expect(h.sim.directory.listSentMail()).toEqual([]);
    const imported = (await h.records(first)).find((r) => r.action === "created");
    expect(imported?.welcome).toMatchObject({
      status: "skipped",
      detail: expect.stringContaining("already in Entra ID when this connection first synced"),
    });

    const people = newPeople(3);
    const second = await run(c, "incremental");
    expect(second.counters.users.created).toBe(3);
    expect(sentTo().sort()).toEqual(people.map((p) => p.mail.toLowerCase()).sort());
    const [mail] = h.sim.directory.listSentMail(T);
    expect(mail).toMatchObject({ from: MAILBOX.toLowerCase(), saveToSentItems: false });
    expect(mail?.subject).toMatch(/^Welcome, Nova\d+$/);
    expect(mail?.body).toMatch(/^Hello Newcomer \d+, open https:\/\/portal\.contoso\.com$/);
    const records = (await h.records(second)).filter((r) => r.action === "created");
    expect(records.map((r) => r.welcome?.status)).toEqual(["sent", "sent", "sent"]);
    expect(records[0]?.welcome).toMatchObject({ channel: "email", attempts: 1 });
  });

  it("a repeated or resumed pass, even on two instances at once, sends nobody a second notice", async () => {
    const c = await h.connect(on({ existingPeople: "skip" }));
    await run(c);
    const people = newPeople(3);
    // The run's end is seen by this instance and, as after a takeover, by a second one at the same moment.
    const other = service("instance-b");
    const task = await h.run(c, "incremental");
    await Promise.all([welcome.idle(), other.pass(T, c.id)]);
    await Promise.all([welcome.pass(T, c.id), other.pass(T, c.id)]);
    expect(sentTo().sort()).toEqual(people.map((p) => p.mail.toLowerCase()).sort());

    // Nor does a run that finds nothing new, or one that restores a welcomed person.
    const person = people[0] as { id: string; mail: string };
    h.sim.directory.softDeleteUser(T, person.id);
    await run(c, "incremental");
    h.sim.directory.restoreUser(T, person.id);
    const restoring = await run(c, "incremental");
    expect((await h.records(restoring)).find((r) => r.sourceId === person.id)?.action).toBe("restored");
    await run(c, "full");
    expect(sentTo()).toHaveLength(3);
    expect((await notice(c, person.id))?.status).toBe("sent");
    expect(task.counters.users.created).toBe(3);
  });

  it("a notice whose sender stopped mid-send is marked uncertain, never sent again", async () => {
    const c = await h.connect(on({ existingPeople: "skip" }));
    await run(c);
    const [person] = newPeople(1) as [{ id: string; mail: string }];
    // Notices are off while the run finishes, so the pass below sees it as the switch-on run.
    await h.updateSettings(c, { welcome: { ...on().welcome, enabled: false } });
    await run(c, "incremental");
    await h.updateSettings(c, on({ existingPeople: "skip" }));
    const id = welcomeNoticeId(T, c.id, person.id);
    const at = new Date(Date.now() - 3600_000).toISOString();
    await h.store.welcomeNotices.create({
      id,
      tenantId: T,
      type: "welcomeNotice",
      connectionId: c.id,
      sourceId: person.id,
      name: "Newcomer",
      status: "sending",
      claim: { owner: "a crashed instance", at },
      attempts: 1,
      createdAt: at,
      updatedAt: at,
    });
    await welcome.pass(T, c.id);
    expect(sentTo()).toEqual([]);
    expect(await notice(c, person.id)).toMatchObject({
      status: "uncertain",
      detail: expect.stringContaining("it is not sent again"),
    });
  });

  it("records a failure with its cause and sends it with the next run", async () => {
    const c = await h.connect(on({ existingPeople: "skip" }));
    await run(c);
    // The application access policy allows another mailbox than the one the connection names.
    h.sim.directory.restrictMailboxes(T, DEMO_CUSTOMER_APP.clientId, [`welcome@${DOMAIN}`]);
    const [person] = newPeople(1) as [{ id: string; mail: string }];
    const failing = await run(c, "incremental");
    expect(sentTo()).toEqual([]);
    const failed = (await h.records(failing)).find((r) => r.sourceId === person.id);
    expect(failed?.welcome).toMatchObject({ status: "failed", channel: "email", attempts: 1 });
    expect(failed?.welcome?.detail).toContain(`Sending from ${MAILBOX.toLowerCase()} failed`);
    expect(failed?.welcome?.detail).toContain("application access policy allows");
    expect((await notice(c, person.id))?.errorCode).toBe("graph-403");

    h.sim.directory.clearOutbox();
    const retried = await run(c, "incremental");
    expect(retried.counters.users.created).toBe(0);
    expect(sentTo()).toEqual([person.mail.toLowerCase()]);
    const record = (await h.records(failing)).find((r) => r.sourceId === person.id);
    expect(record?.welcome).toMatchObject({ status: "sent", attempts: 2 });
    expect(record?.welcome?.detail).toBeUndefined();
  });

  it("stops trying a notice after its fifth failure, and says so, even once the cause is fixed", async () => {
    const c = await h.connect(on({ existingPeople: "skip" }));
    await run(c);
    h.sim.directory.restrictMailboxes(T, DEMO_CUSTOMER_APP.clientId, [`welcome@${DOMAIN}`]);
    const [person] = newPeople(1) as [{ id: string; mail: string }];
    await run(c, "incremental");
    const id = welcomeNoticeId(T, c.id, person.id);
    await h.store.welcomeNotices.update(T, id, (n) => ({ ...n, attempts: 4 }) as WelcomeNoticeDoc);

    await welcome.pass(T, c.id);
    const fifth = await notice(c, person.id);
    expect(fifth).toMatchObject({ status: "failed", attempts: 5, errorCode: "graph-403" });
    expect(fifth?.detail).toContain("(tried 5 times; not tried again)");

    // The policy now allows the mailbox, but the notice has used up its attempts.
    h.sim.directory.clearOutbox();
    await welcome.pass(T, c.id);
    expect(sentTo()).toEqual([]);
    expect(await notice(c, person.id)).toMatchObject({ status: "failed", attempts: 5 });
  });

  it("a preview sends nothing and records nothing; the real run after it does", async () => {
    const c = await h.connect(on({ existingPeople: "skip" }));
    await run(c);
    const people = newPeople(2);
    const preview = await run(c, "preview");
    expect(preview.counters.users.created).toBe(2);
    expect(sentTo()).toEqual([]);
    for (const p of people) expect(await notice(c, p.id)).toBeUndefined();
    await run(c, "full");
    expect(sentTo().sort()).toEqual(people.map((p) => p.mail.toLowerCase()).sort());
  });

  it("the first-sync choice 'welcome people who already exist' welcomes the imported people once", async () => {
    const emails = newPeople(3).map((p) => p.mail);
    const c = await h.connect({ users: { scope: "emails", emails }, ...on({ existingPeople: "welcome" }) });
    await run(c);
    expect(sentTo().sort()).toEqual(emails.map((e) => e.toLowerCase()).sort());
    await run(c);
    expect(sentTo()).toHaveLength(3);
  });

  it("switched on later with 'welcome people who already exist', it welcomes the people the connection holds", async () => {
    const emails = newPeople(2).map((p) => p.mail);
    const c = await h.connect({ users: { scope: "emails", emails } });
    await run(c);
    expect(sentTo()).toEqual([]);
    await h.updateSettings(c, { users: { scope: "emails", emails }, ...on({ existingPeople: "welcome" }) });
    await run(c, "incremental");
    expect(sentTo().sort()).toEqual(emails.map((e) => e.toLowerCase()).sort());
  });

  it("switched on later with 'only people created from now on', it leaves the people it holds alone", async () => {
    const emails = newPeople(2).map((p) => p.mail);
    const c = await h.connect({ users: { scope: "emails", emails } });
    await run(c);
    await h.updateSettings(c, { users: { scope: "emails", emails }, ...on({ existingPeople: "skip" }) });
    await run(c, "incremental");
    expect(sentTo()).toEqual([]);
  });

  it("sends nothing while notices are off", async () => {
    const c = await h.connect({});
    await run(c);
    newPeople(2);
    await run(c, "incremental");
    expect(sentTo()).toEqual([]);
    expect(
      await h.store.welcomeNotices.count(T, {
        where: "c.connectionId = @c",
        parameters: [{ name: "@c", value: c.id }],
      }),
    ).toBe(0);
  });

  it("skips guests unless asked, with the reason on their record", async () => {
    const c = await h.connect({ users: { guests: "include" }, ...on({ existingPeople: "welcome" }) });
    const task = await run(c);
    const guests = (await h.records(task)).filter(
      (r) => r.action === "created" && /#EXT#/i.test(r.upn ?? ""),
    );
    expect(guests.length).toBeGreaterThan(0);
    for (const g of guests)
      expect(g.welcome).toMatchObject({
        status: "skipped",
        detail: expect.stringContaining("a guest account"),
      });
    const sent = sentTo();
    expect(sent.length).toBeGreaterThan(0);
    for (const g of guests) expect(sent).not.toContain(g.email?.toLowerCase());
  });

  it("waits out Graph's 429 on a send as the retry policy says, and sends once", async () => {
    const c = await h.connect(on({ existingPeople: "skip" }));
    await run(c);
    h.sim.directory.injectFault({
      method: "POST",
      pathPattern: "/sendMail$",
      status: 429,
      code: "TooManyRequests",
      retryAfterSeconds: 1,
      times: 1,
    });
    const [person] = newPeople(1) as [{ id: string; mail: string }];
    await run(c, "incremental");
    expect(sentTo()).toEqual([person.mail.toLowerCase()]);
    expect(await notice(c, person.id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("a run resumed on another instance after its worker stopped sends nobody a second notice", async () => {
    const c = await h.connect(on({ existingPeople: "skip" }));
    await run(c);
    const people = newPeople(3);
    const task = await run(c, "incremental");
    expect(sentTo()).toHaveLength(3);
    // As if the worker died after its writes but before recording the end: the task is taken over and ends again.
    await h.store.tasks.update(T, task.id, (t) => {
      const { finishedAt: _f, ...rest } = t;
      return { ...rest, status: "running", heartbeatAt: new Date(Date.now() - 3600_000).toISOString() };
    });
    expect(await h.sync.resumeOrphans()).toBe(1);
    await h.sync.idle();
    await welcome.idle();
    const resumed = await h.store.tasks.require(T, task.id);
    expect(resumed.status).toBe("succeeded");
    expect(resumed.notes.join(" ")).toContain("Resumed by");
    expect(sentTo().sort()).toEqual(people.map((p) => p.mail.toLowerCase()).sort());
  });
});
