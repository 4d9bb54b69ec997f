import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProfileDoc } from "../../api/store/documents.ts";
import { openStore, type Store } from "../../api/store/store.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, pollUntil, startFullStack } from "../support/full-stack.ts";

const appConnection = (name: string) => ({
  name,
  kind: "graph-app",
  clientId: DEMO_CUSTOMER_APP.clientId,
  clientSecret: DEMO_CUSTOMER_APP.clientSecret,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two admins (or an admin and the schedule) acting on one connection at the same moment, over HTTP. */
describe("connections under concurrent requests", () => {
  let s: FullStack;
  let store: Store;
  let admin: string;
  beforeAll(async () => {
    s = await startFullStack();
    store = await openStore({
      endpoint: s.config.COSMOS_ENDPOINT,
      key: s.config.COSMOS_KEY as string,
      database: s.config.COSMOS_DATABASE,
    });
    admin = await s.adminToken();
  });
  afterAll(async () => {
    store?.close();
    await s?.close();
  });

  const createConnection = async (name: string) => {
    const res = await s.api("/api/connections", { token: admin, method: "POST", json: appConnection(name) });
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string; etag: string };
  };
  const deleteConnection = (id: string, data: "keep" | "remove" = "remove") =>
    s.api(`/api/connections/${id}?confirm=true&data=${data}`, { token: admin, method: "DELETE" });
  const dataOf = async (connectionId: string) => {
    const where = { where: "c.connectionId = @c", parameters: [{ name: "@c", value: connectionId }] };
    const [profiles, lists] = await Promise.all([
      store.profiles.count(DEMO_TENANT_ID, where),
      store.lists.count(DEMO_TENANT_ID, where),
    ]);
    return { profiles, lists };
  };
  const unfinishedTasks = (connectionId: string) =>
    store.tasks.count(DEMO_TENANT_ID, {
      where: "c.connectionId = @c AND (c.status = 'queued' OR c.status = 'running')",
      parameters: [{ name: "@c", value: connectionId }],
    });

  it("deleting a connection while a sync of it starts never leaves profiles or lists behind", async () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const { id } = await createConnection(`Race ${attempt}`);
      const [deleted, started] = await Promise.all([
        deleteConnection(id),
        sleep(attempt * 3).then(() =>
          s.api(`/api/connections/${id}/tasks`, { token: admin, method: "POST", json: { type: "full" } }),
        ),
      ]);
      // Whatever the order, a sync that was let start runs to its end before anything is counted.
      await pollUntil(`tasks of ${id} to end`, async () =>
        (await unfinishedTasks(id)) === 0 ? true : undefined,
      );
      if (deleted.status === 200) {
        expect(await dataOf(id), `attempt ${attempt}: sync answered ${started.status}`).toEqual({
          profiles: 0,
          lists: 0,
        });
      } else {
        // The sync won: the delete says so and nothing was removed; delete it now that the sync is done.
        expect(deleted.status).toBe(409);
        expect(deleted.body.error.code).toBe("task-running");
        expect(started.status).toBe(202);
        expect((await deleteConnection(id)).status).toBe(200);
        expect(await dataOf(id)).toEqual({ profiles: 0, lists: 0 });
      }
    }
  });

  it("data a deleted connection left behind can still be seen and removed through the API", async () => {
    const { id } = await createConnection("Kept");
    const started = await s.api(`/api/connections/${id}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    expect(started.status).toBe(202);
    expect((await s.waitForTask(started.body.id)).status).toBe("succeeded");
    const synced = await dataOf(id);
    expect(synced.profiles).toBeGreaterThan(0);
    expect((await deleteConnection(id, "keep")).status).toBe(200);
    expect(await dataOf(id)).toEqual(synced);

    // Listed, so an admin can find it ...
    const left = await s.api("/api/connections/orphaned-data", { token: admin });
    expect(left.status).toBe(200);
    expect(left.body.items).toContainEqual({ connectionId: id, ...synced });
    // ... asked about before anything happens, as for a live connection ...
    const ask = await s.api(`/api/connections/${id}`, { token: admin, method: "DELETE" });
    expect(ask.status).toBe(409);
    expect(ask.body.error).toMatchObject({ code: "confirmation-required", ...synced });
    // ... and removed.
    const removed = await deleteConnection(id, "remove");
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ deleted: true, data: "remove", ...synced });
    expect(await dataOf(id)).toEqual({ profiles: 0, lists: 0 });
    expect((await s.api("/api/connections/orphaned-data", { token: admin })).body.items).toEqual([]);
    const profile = (await store.profiles.all(DEMO_TENANT_ID, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: id }],
    })) as ProfileDoc[];
    expect(profile).toEqual([]);
    // An id that never had a connection or data is simply not found.
    expect((await deleteConnection("0b6f3c1a-9d2e-4f5a-8b7c-6e5d4c3b2a19")).status).toBe(404);
  });

  it("three admins creating a connection at once leave exactly one of them active", async () => {
    const before = (await s.api("/api/connections", { token: admin })).body.items as { id: string }[];
    for (const c of before) await deleteConnection(c.id);
    for (let round = 0; round < 4; round++) {
      const created = await Promise.all([1, 2, 3].map((n) => createConnection(`Parallel ${round}.${n}`)));
      const listed = (await s.api("/api/connections", { token: admin })).body.items as { status: string }[];
      expect(created.filter((c) => c.status === "active")).toHaveLength(1);
      expect(listed.filter((c) => c.status === "active")).toHaveLength(1);
      for (const c of created) await deleteConnection(c.id);
    }
  });

  it("two admins reactivating two connections at once leave exactly one of them active", async () => {
    const a = await createConnection("First");
    const b = await createConnection("Second");
    expect(
      (await s.api(`/api/connections/${a.id}/deactivate`, { token: admin, method: "POST" })).status,
    ).toBe(200);
    const answers = await Promise.all(
      [a, b, a, b].map((c) => s.api(`/api/connections/${c.id}/reactivate`, { token: admin, method: "POST" })),
    );
    expect(answers.map((r) => r.status).every((status) => status === 200 || status === 409)).toBe(true);
    const listed = (await s.api("/api/connections", { token: admin })).body.items as { status: string }[];
    expect(listed.filter((c) => c.status === "active")).toHaveLength(1);
    await deleteConnection(a.id);
    await deleteConnection(b.id);
  });

  it("a settings change without If-Match is refused with 428 and changes nothing", async () => {
    const c = await createConnection("Guarded");
    const res = await s.api(`/api/connections/${c.id}`, {
      token: admin,
      method: "PATCH",
      json: { settings: { mirror: false } },
    });
    expect(res.status).toBe(428);
    expect(res.body.error.code).toBe("if-match-required");
    expect(res.body.error.message).toContain("If-Match");
    const after = await s.api(`/api/connections/${c.id}`, { token: admin });
    expect(after.body.settings.mirror).toBe(true);
    expect(after.headers.get("etag")).toBe(c.etag);
    // A new client secret alone is not a settings change: reauthorizing needs no version.
    const secret = await s.api(`/api/connections/${c.id}`, {
      token: admin,
      method: "PATCH",
      json: { clientSecret: DEMO_CUSTOMER_APP.clientSecret },
    });
    expect(secret.status).toBe(200);
    await deleteConnection(c.id);
  });

  it("two concurrent changes from the same version: one is saved, every other answers 412, none is lost silently", async () => {
    const c = await createConnection("Contended");
    const current = await s.api(`/api/connections/${c.id}`, { token: admin });
    const etag = current.headers.get("etag") as string;
    const answers = await Promise.all(
      [
        { settings: { ...current.body.settings, mirror: false } },
        { name: "Renamed" },
        { schedule: { intervalMinutes: 30 } },
        { settings: { ...current.body.settings, photos: true } },
      ].map((json) =>
        s.api(`/api/connections/${c.id}`, {
          token: admin,
          method: "PATCH",
          json,
          headers: { "if-match": etag },
        }),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412]);
    for (const r of answers.filter((a) => a.status === 412))
      expect(r.body.error.code).toBe("changed-elsewhere");
    // Whatever was saved is what the one 200 answered.
    const saved = answers.find((r) => r.status === 200)?.body;
    const after = (await s.api(`/api/connections/${c.id}`, { token: admin })).body;
    expect({ name: after.name, settings: after.settings, schedule: after.schedule }).toEqual({
      name: saved.name,
      settings: saved.settings,
      schedule: saved.schedule,
    });
    await deleteConnection(c.id);
  });

  it("a large whitelist is audited as a count and a hash, and settings beyond the size bound are refused by field", async () => {
    const c = await createConnection("Whitelist");
    const current = await s.api(`/api/connections/${c.id}`, { token: admin });
    const emails = Array.from({ length: 10_000 }, (_, i) => `person${i}@contoso.example.com`);
    const settings = {
      ...current.body.settings,
      users: { ...current.body.settings.users, scope: "emails", emails },
    };
    const saved = await s.api(`/api/connections/${c.id}`, {
      token: admin,
      method: "PATCH",
      json: { settings },
      headers: { "if-match": current.headers.get("etag") as string },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.settings.users.emails).toHaveLength(10_000);
    // Removing the list again: neither audit entry copies it.
    const cleared = await s.api(`/api/connections/${c.id}`, {
      token: admin,
      method: "PATCH",
      json: { settings: { ...settings, users: { ...settings.users, scope: "all", emails: [] } } },
      headers: { "if-match": saved.headers.get("etag") as string },
    });
    expect(cleared.status).toBe(200);
    const audit = (await s.api("/api/audit", { token: admin })).body.items as {
      action: string;
      target: { id: string };
      changes: Record<string, { from: unknown; to: unknown }>;
    }[];
    const updates = audit.filter((a) => a.target.id === c.id && a.action === "connection.update");
    expect(updates).toHaveLength(2);
    const listHash = createHash("sha256").update(JSON.stringify(emails)).digest("hex");
    const [removal, addition] = updates;
    // One row per changed property, as the audit log shows it; the long list is a count and a hash.
    const row = (entry: typeof removal, path: string) => entry?.changes[path];
    expect(row(addition, "settings.users.emails")?.to).toEqual({
      summary: "10000 items",
      count: 10_000,
      sha256: listHash,
    });
    expect(row(addition, "settings.users.emails")?.from).toEqual([]);
    expect(row(removal, "settings.users.emails")?.from).toMatchObject({ sha256: listHash });
    // Small values stay readable as they are.
    expect(row(addition, "settings.users.scope")?.to).toBe("emails");
    for (const entry of updates) expect(JSON.stringify(entry).length).toBeLessThan(16_000);

    // More addresses than the bound, or settings too large as a whole, are refused with the field named.
    const tooMany = await s.api(`/api/connections/${c.id}`, {
      token: admin,
      method: "PATCH",
      json: {
        settings: {
          ...settings,
          users: { ...settings.users, emails: [...emails, "one.more@contoso.example.com"] },
        },
      },
      headers: { "if-match": cleared.headers.get("etag") as string },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.fields["settings.users.emails"]).toContain("10,000");
    const long = (i: number) => `${"x".repeat(60)}.${i}@${"sub.".repeat(40)}contoso.example.com`;
    const tooLarge = await s.api(`/api/connections/${c.id}`, {
      token: admin,
      method: "PATCH",
      json: {
        settings: {
          ...settings,
          users: { ...settings.users, emails: Array.from({ length: 2500 }, (_, i) => long(i)) },
        },
      },
      headers: { "if-match": cleared.headers.get("etag") as string },
    });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.error.fields["settings.users.emails"]).toMatch(/KB/);
    await deleteConnection(c.id);
  });
});
