import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";

interface ListRow {
  id: string;
  sourceId: string;
  connectionId: string;
  status: string;
  name: string;
  memberCount: number;
  createdAt: string;
}

interface ProfileRow {
  id: string;
  sourceId: string;
  connectionId: string;
  status: string;
  displayName: string;
  createdAt: string;
}

/** Creates an app connection of the demo tenant named `name`, as the tab does; returns its id. */
async function createConnection(stack: FullStack, admin: string, name: string): Promise<string> {
  const res = await stack.api("/api/connections", {
    token: admin,
    method: "POST",
    json: {
      name,
      kind: "graph-app",
      clientId: DEMO_CUSTOMER_APP.clientId,
      clientSecret: DEMO_CUSTOMER_APP.clientSecret,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

/** Starts a full sync and waits until it has succeeded. */
async function runFullSync(stack: FullStack, admin: string, connectionId: string) {
  const res = await stack.api(`/api/connections/${connectionId}/tasks`, {
    token: admin,
    method: "POST",
    json: { type: "full" },
  });
  expect(res.status, res.text).toBe(202);
  const task = await stack.waitForTask(res.body.id);
  expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
  return task;
}

/**
 * A tenant moving from one connection to another, as an admin does it in the tab: the first connection is
 * switched off (the tab allows one connection on at a time), a second one is created and synced. The tenant's
 * directory must still hold one profile per Entra user, the same profiles the application already knew.
 */
describe("switching a tenant to a new connection", () => {
  let stack: FullStack;
  let admin: string;

  beforeAll(async () => {
    stack = await startFullStack();
    admin = await stack.adminToken();
  });
  afterAll(() => stack?.close());

  const create = (name: string) => createConnection(stack, admin, name);
  const fullSync = (connectionId: string) => runFullSync(stack, admin, connectionId);

  const liveProfiles = async (): Promise<ProfileRow[]> => {
    const rows: ProfileRow[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ pageSize: "200" });
      if (token) query.set("continuationToken", token);
      const res = await stack.api(`/api/profiles?${query}`, { token: admin });
      expect(res.status, res.text).toBe(200);
      rows.push(...res.body.items);
      token = res.body.continuationToken;
    } while (token);
    return rows.filter((p) => p.status !== "deleted");
  };

  it("adopts what the earlier connection synced instead of making every person twice", async () => {
    const first = await create("Contoso (old app registration)");
    await fullSync(first);
    const before = await liveProfiles();
    expect(before.length).toBeGreaterThan(10);

    const off = await stack.api(`/api/connections/${first}/deactivate`, { token: admin, method: "POST" });
    expect(off.status, off.text).toBe(200);
    const second = await create("Contoso (new app registration)");
    const task = await fullSync(second);

    const after = await liveProfiles();
    const bySource = new Map<string, ProfileRow[]>();
    for (const p of after) bySource.set(p.sourceId, [...(bySource.get(p.sourceId) ?? []), p]);
    const twice = [...bySource.values()]
      .filter((rows) => rows.length > 1)
      .map((rows) => rows[0]?.displayName);
    expect(twice).toEqual([]);
    // The same documents, now the new connection's: ids and creation times are what the application knew.
    expect(after.map((p) => `${p.id}@${p.createdAt}`).sort()).toEqual(
      before.map((p) => `${p.id}@${p.createdAt}`).sort(),
    );
    expect(new Set(after.map((p) => p.connectionId))).toEqual(new Set([second]));
    expect(task.counters.users.created).toBe(0);

    // Each takeover is on the record, naming where the profile came from.
    const records = await stack.api(`/api/tasks/${task.id}/records?kind=user&action=updated&pageSize=200`, {
      token: admin,
    });
    expect(records.body.items.length).toBe(before.length);
    expect(records.body.items[0]).toMatchObject({
      reason: 'taken over from connection "Contoso (old app registration)"',
    });

    // A profile's page finds its lists through the connection that now owns it.
    const adele = after.find((p) => p.displayName === "Adele Vance");
    const page = await stack.api(`/api/profiles/${encodeURIComponent(adele?.id ?? "")}`, { token: admin });
    expect(page.body.lists.length).toBeGreaterThan(0);

    // The next run of the new connection has nothing left to take over.
    const again = await fullSync(second);
    expect(again.counters.users).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect((await liveProfiles()).length).toBe(before.length);
    expect(stack.sim.directory.listUsers(DEMO_TENANT_ID).length).toBeGreaterThanOrEqual(before.length);
  });
});

/**
 * The same move seen from the lists: a group is one list in the tenant's directory, whichever connection
 * synced it last, and its members are listed once.
 */
describe("switching a tenant to a new connection, for lists", () => {
  let stack: FullStack;
  let admin: string;

  beforeAll(async () => {
    stack = await startFullStack();
    admin = await stack.adminToken();
  });
  afterAll(() => stack?.close());

  const create = (name: string) => createConnection(stack, admin, name);
  const fullSync = (connectionId: string) => runFullSync(stack, admin, connectionId);

  const liveLists = async (): Promise<ListRow[]> => {
    const rows: ListRow[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ pageSize: "200" });
      if (token) query.set("continuationToken", token);
      const res = await stack.api(`/api/lists?${query}`, { token: admin });
      expect(res.status, res.text).toBe(200);
      rows.push(...res.body.items);
      token = res.body.continuationToken;
    } while (token);
    return rows.filter((l) => l.status !== "deleted");
  };

  const members = async (listId: string): Promise<string[]> => {
    const res = await stack.api(`/api/lists/${encodeURIComponent(listId)}/members?pageSize=200`, {
      token: admin,
    });
    expect(res.status, res.text).toBe(200);
    return res.body.items.map((m: { sourceId: string }) => m.sourceId);
  };

  it("adopts the earlier connection's lists instead of showing every group twice", async () => {
    const first = await create("Contoso (old app registration)");
    await fullSync(first);
    const before = await liveLists();
    expect(before.length).toBeGreaterThan(3);
    const biggest = [...before].sort((a, b) => b.memberCount - a.memberCount)[0] as ListRow;
    const membersBefore = await members(biggest.id);
    expect(membersBefore.length).toBeGreaterThan(1);

    const off = await stack.api(`/api/connections/${first}/deactivate`, { token: admin, method: "POST" });
    expect(off.status, off.text).toBe(200);
    const second = await create("Contoso (new app registration)");
    const task = await fullSync(second);

    const after = await liveLists();
    const names = after.map((l) => l.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(after.map((l) => `${l.id}@${l.createdAt}`).sort()).toEqual(
      before.map((l) => `${l.id}@${l.createdAt}`).sort(),
    );
    expect(new Set(after.map((l) => l.connectionId))).toEqual(new Set([second]));
    expect(task.counters.lists.created).toBe(0);
    // Each member once, the same people as before the move.
    expect((await members(biggest.id)).sort()).toEqual([...membersBefore].sort());

    const records = await stack.api(`/api/tasks/${task.id}/records?kind=list&pageSize=200`, { token: admin });
    expect(records.body.items.length).toBe(before.length);
    expect(records.body.items[0]).toMatchObject({
      action: "updated",
      reason: 'taken over from connection "Contoso (old app registration)"',
    });

    // The next run of the new connection has nothing left to take over, and its members are its own.
    const again = await fullSync(second);
    expect(again.counters.lists).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect((await liveLists()).length).toBe(before.length);
    expect((await members(biggest.id)).sort()).toEqual([...membersBefore].sort());
  });
});
