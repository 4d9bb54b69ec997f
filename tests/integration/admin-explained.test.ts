import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../api/store/store.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";

const T = DEMO_TENANT_ID;

/**
 * What an admin reads to understand the product, over HTTP as the tab reads it: the audit log (changed
 * properties with old and new values, filters, CSV), the task records and their CSV (old and new values,
 * which members, which reason, UPN kept), "why" (no contradictions), the people and group pickers, and the
 * members of a list.
 */
describe("what the tab explains to an admin", () => {
  let stack: FullStack;
  let admin: string;
  let connectionId = "";

  const user = (name: string) => {
    const u = stack.sim.directory.listUsers(T).find((x) => x.displayName === name);
    if (!u) throw new Error(`no user ${name}`);
    return u;
  };
  const group = (name: string) => {
    const g = stack.sim.directory.listGroups(T).find((x) => x.displayName === name);
    if (!g) throw new Error(`no group ${name}`);
    return g;
  };
  const get = async (path: string) => {
    const res = await stack.api(path, { token: admin });
    expect(res.status, `GET ${path}: ${res.text}`).toBe(200);
    return res;
  };
  const sync = async (type = "full") => {
    const res = await stack.api(`/api/connections/${connectionId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type },
    });
    expect(res.status, res.text).toBe(202);
    return stack.waitForTask(res.body.id);
  };
  const changeSettings = async (change: (settings: Record<string, unknown>) => void) => {
    const read = await get(`/api/connections/${connectionId}`);
    const settings = structuredClone(read.body.settings);
    change(settings);
    const res = await stack.api(`/api/connections/${connectionId}`, {
      token: admin,
      method: "PATCH",
      json: { settings },
      headers: { "if-match": read.headers.get("etag") as string },
    });
    expect(res.status, res.text).toBe(200);
  };
  /** The bytes a browser saves: fetch's text() drops a byte order mark, so it is read from the raw body. */
  const download = async (path: string) => {
    const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status, path).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    return {
      bom: bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])),
      text: bytes.subarray(3).toString("utf8"),
      fileName: /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1],
    };
  };
  const why = async (who: string) => (await get(`/api/why?who=${encodeURIComponent(who)}`)).body;

  beforeAll(async () => {
    stack = await startFullStack();
    admin = await stack.adminToken();
    const res = await stack.api("/api/connections", {
      token: admin,
      method: "POST",
      json: {
        name: "Contoso",
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
      },
    });
    expect(res.status, res.text).toBe(201);
    connectionId = res.body.id;
  });
  afterAll(() => stack?.close());

  it("audit: a guard threshold changed from 50 to 3 reads as that property with both values", async () => {
    await changeSettings((s) => {
      (s.deletionGuard as { maxCount: number }).maxCount = 3;
    });
    const { items } = (await get("/api/audit?action=connection.update")).body;
    expect(items).toHaveLength(1);
    expect(items[0].changes).toEqual({ "settings.deletionGuard.maxCount": { from: 50, to: 3 } });
    // Store bookkeeping is nobody's setting: no `_etag`/`_ts` rows, in this entry or any other.
    const all = (await get("/api/audit")).body.items;
    expect(
      all
        .flatMap((e: { changes: object }) => Object.keys(e.changes))
        .filter((k: string) => /(^|\.)_/.test(k)),
    ).toEqual([]);

    // Entries written before changes were kept per property are read the same way.
    const store = await openStore({
      endpoint: stack.config.COSMOS_ENDPOINT,
      key: stack.config.COSMOS_KEY ?? "",
      database: stack.config.COSMOS_DATABASE,
    });
    const guard = (maxCount: number) => ({
      deletionGuard: { enabled: true, maxCount, maxPercent: 10 },
      what: "users",
    });
    await store.audit.create({
      id: randomUUID(),
      tenantId: T,
      type: "audit",
      actor: { oid: "x", name: "Earlier Admin" },
      action: "connection.update",
      target: { kind: "connection", id: connectionId, name: "Contoso" },
      changes: {
        settings: { from: guard(50), to: guard(7) },
        _etag: { from: "[redacted]", to: "[redacted]" },
        _ts: { from: 1, to: 2 },
      },
      at: "2020-01-02T03:04:05.000Z",
    });
    store.close();
    const old = (await get("/api/audit?until=2021-01-01T00:00:00Z")).body.items;
    expect(old.map((e: { changes: object }) => e.changes)).toEqual([
      { "settings.deletionGuard.maxCount": { from: 50, to: 7 } },
    ]);
    expect(
      (await get("/api/audit?since=2021-01-01T00:00:00Z&action=connection.update")).body.items,
    ).toHaveLength(1);
    const bad = await stack.api("/api/audit?since=yesterday", { token: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty("since");

    const csv = await download("/api/audit.csv?action=connection.update");
    expect(csv.bom).toBe(true);
    expect(csv.fileName).toMatch(/^audit-\d{4}-\d{2}-\d{2}-filtered\.csv$/);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe("Time (UTC),Who,Who (UPN),Action,Target,Property,Old value,New value");
    expect(
      lines.some((l) => l.endsWith(",connection.update,Contoso,settings.deletionGuard.maxCount,50,3")),
    ).toBe(true);
    expect((await download("/api/audit.csv")).fileName).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.csv$/);
  });

  it("records: old and new values, which members, which reason, UPN kept; the CSV says so readably", async () => {
    await changeSettings((s) => {
      (s.deletionGuard as { maxCount: number; maxPercent: number }).maxCount = 50;
      (s.deletionGuard as { maxPercent: number }).maxPercent = 50;
    });
    expect((await sync()).status).toBe("succeeded");
    stack.sim.directory.updateUser(T, user("Adele Vance").id, { jobTitle: "Head of Marketing" });
    stack.sim.directory.removeMember(T, group("Sales EMEA").id, user("Irvin Sayers").id);
    stack.sim.directory.softDeleteUser(T, user("Alex Wilber").id);
    const task = await sync();
    expect(task.status).toBe("succeeded");

    const updated = (await get(`/api/tasks/${task.id}/records?kind=user&action=updated`)).body.items;
    expect(updated).toEqual([
      expect.objectContaining({
        name: "Adele Vance",
        changes: { jobTitle: { from: "Product Marketing Manager", to: "Head of Marketing" } },
        profileId: expect.any(String),
      }),
    ]);
    const profile = await get(`/api/profiles/${encodeURIComponent(updated[0].profileId)}`);
    expect(profile.body.displayName).toBe("Adele Vance");

    const lists = (await get(`/api/tasks/${task.id}/records?kind=list&action=updated&pageSize=200`)).body
      .items;
    const emea = lists.find((r: { name: string }) => r.name === "Sales EMEA");
    expect(emea?.members?.removed).toEqual([
      expect.objectContaining({ name: "Irvin Sayers", sourceId: user("Irvin Sayers").id }),
    ]);
    expect(emea?.listId).toEqual(expect.any(String));

    const deleted = (await get(`/api/tasks/${task.id}/records?kind=user&action=deleted`)).body.items;
    expect(deleted).toEqual([
      expect.objectContaining({
        name: "Alex Wilber",
        reason: "deleted in Entra ID",
        upn: "alexw@m365x214355.onmicrosoft.com",
      }),
    ]);

    const csv = await download(`/api/tasks/${task.id}/records.csv?kind=user&action=updated`);
    expect(csv.bom).toBe(true);
    expect(csv.fileName).toBe(`sync-${task.id}-user-updated.csv`);
    const [header, row] = csv.text.trim().split(/\r?\n/);
    expect(header).toBe(
      "Kind,Name,Email,User principal name,Entra object id,Action,Reason,Changed fields,Old values,New values,Time (UTC),Welcome notice,Welcome notice detail",
    );
    expect(row).toContain("jobTitle: Product Marketing Manager,jobTitle: Head of Marketing");
    const full = await download(`/api/tasks/${task.id}/records.csv`);
    expect(full.fileName).toBe(`sync-${task.id}.csv`);
    expect(full.text).toContain("alexw@m365x214355.onmicrosoft.com");
  });

  it("list members carry their job titles", async () => {
    const list = (await get("/api/lists?q=sales%20team")).body.items[0];
    const members = (await get(`/api/lists/${encodeURIComponent(list.id)}/members`)).body.items;
    expect(members.length).toBeGreaterThan(0);
    for (const m of members) expect(m.jobTitle).toBe(user(m.displayName).jobTitle ?? null);
    expect(members.some((m: { jobTitle: string | null }) => m.jobTitle)).toBe(true);
  });

  it("why: a duplicate email is not 'in scope'; proxyAddresses and otherMails are found", async () => {
    const taylor = await why(user("Taylor Reed").userPrincipalName);
    expect(taylor.synced).toBe(false);
    expect(taylor.verdict).toMatch(/also used by Taylor Reed \(Contractor\)/);
    expect(taylor.checks).toEqual([
      expect.objectContaining({
        inScope: false,
        reasons: [
          expect.stringMatching(/^Skipped: email TaylorR@\S+ is also used by Taylor Reed \(Contractor\)/),
        ],
      }),
    ]);

    // Rowan's email comes from his primary proxy address, Quinn's from otherMails: synced, and found.
    for (const address of ["rowan.price@contoso.com", "quinn.harper@outlook.com"]) {
      const answer = await why(address);
      expect(answer.synced, address).toBe(true);
      expect(answer.checks, address).toEqual([
        expect.objectContaining({ inScope: true, reasons: ["In scope: the next sync keeps this user."] }),
      ]);
    }
  });

  it("why: after a halted sync is cancelled, it no longer says it waits for an admin", async () => {
    await changeSettings((s) => {
      (s.deletionGuard as { maxCount: number }).maxCount = 1;
    });
    const ben = user("Ben Walters");
    for (const name of ["Ben Walters", "Christie Cline"])
      stack.sim.directory.softDeleteUser(T, user(name).id);
    const halted = await sync();
    expect(halted.status).toBe("halted");
    const cancel = await stack.api(`/api/tasks/${halted.id}/cancel`, { token: admin, method: "POST" });
    expect(cancel.status, cancel.text).toBe(200);
    await stack.waitForTask(halted.id);
    const answer = await why(ben.userPrincipalName);
    expect(answer.lastRecord.action).toBe("pending-delete");
    expect(answer.lastRecord.reason).not.toMatch(/waiting for an admin/);
    expect(answer.lastRecord.reason).toBe(
      "deleted in Entra ID; the deletion guard held this back and an admin cancelled that sync, so the deletion never happened",
    );
  });

  it("people picker finds a person by a typed name, several words included", async () => {
    for (const typed of ["Adele Va", "vance", "adelev@"]) {
      const found = (await get(`/api/people/search?q=${encodeURIComponent(typed)}`)).body.items;
      expect(
        found.map((p: { displayName: string }) => p.displayName),
        typed,
      ).toContain("Adele Vance");
      expect(found.find((p: { displayName: string }) => p.displayName === "Adele Vance").profileId).toEqual(
        expect.any(String),
      );
    }
    const short = await stack.api("/api/people/search?q=a", { token: admin });
    expect(short.status).toBe(400);
    expect(short.body.error.fields).toHaveProperty("q");
  });

  it("history filters by date", async () => {
    const all = (await get("/api/tasks")).body.items;
    expect(all.length).toBeGreaterThan(0);
    const tomorrow = new Date(Date.now() + 86400_000).toISOString();
    const yesterday = new Date(Date.now() - 86400_000).toISOString();
    expect((await get(`/api/tasks?since=${tomorrow}`)).body.items).toEqual([]);
    expect((await get(`/api/tasks?since=${yesterday}&until=${tomorrow}`)).body.items).toHaveLength(
      all.length,
    );
    expect((await get(`/api/tasks?until=${yesterday}`)).body.items).toEqual([]);
    const bad = await stack.api("/api/tasks?since=last-week", { token: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty("since");
  });

  it("connections say when the next scheduled sync runs, as a time", async () => {
    const [c] = (await get("/api/connections")).body.items;
    expect(c.schedule).toMatchObject({ enabled: true, intervalMinutes: 60 });
    const due = Date.parse(c.nextRunAt);
    expect(due).toBeGreaterThan(Date.now());
    expect(due).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
    const off = await stack.api(`/api/connections/${connectionId}`, {
      token: admin,
      method: "PATCH",
      json: { schedule: { enabled: false } },
      headers: { "if-match": c.etag },
    });
    expect(off.status, off.text).toBe(200);
    expect((await get("/api/connections")).body.items[0].nextRunAt).toBeUndefined();
  });

  it("group picker finds a group by a multi-word name", async () => {
    const res = await stack.api(`/api/groups/search?q=${encodeURIComponent("Sales Team")}`, { token: admin });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((g: { displayName: string }) => g.displayName)).toContain("Sales Team");
  });

  it("a wrong client secret is 'Rejected' in the connection test, not 'Missing'", async () => {
    const created = await stack.api("/api/connections", {
      token: admin,
      method: "POST",
      json: {
        name: "Typo",
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: "not-the-secret-value",
      },
    });
    expect(created.status, created.text).toBe(201);
    const res = await stack.api(`/api/connections/${created.body.id}/test`, { token: admin, method: "POST" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.checks).toEqual([
      { permission: "credentials", status: "rejected", detail: expect.stringMatching(/secret/i) },
    ]);
  });
});
