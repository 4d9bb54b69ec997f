import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectoryMirror } from "../../examples/directory-mirror/mirror.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { V1Client } from "../support/v1-api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
type Item = any;

/**
 * What an application following GET /api/v1/events sees when a tenant moves to a new connection (the new one
 * takes over the earlier one's profiles, which keep their ids) and when a connection is then deleted with its
 * data: memberships name the profiles the application holds, and removed data is announced so it is dropped.
 */
describe("the change feed across a connection takeover and a deletion with data", () => {
  let s: FullStack;
  let v1: V1Client;
  let admin: string;
  let key: string;
  let second = "";

  const create = async (name: string) => {
    const res = await s.api("/api/connections", {
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
  };
  const sync = async (connectionId: string, type: "full" | "incremental") => {
    const res = await s.api(`/api/connections/${connectionId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type },
    });
    expect(res.status, res.text).toBe(202);
    const task = await s.waitForTask(res.body.id);
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    return task;
  };
  const get = async (path: string) => {
    const res = await v1.call(path, { token: key });
    expect(res.status, `${path}: ${res.text.slice(0, 300)}`).toBe(200);
    return res.body;
  };
  const allProfiles = async (): Promise<Item[]> => {
    const out: Item[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(
        `/api/v1/profiles?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      out.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  };
  const eventsAfter = async (after: string): Promise<{ events: Item[]; next: string }> => {
    const events: Item[] = [];
    let cursor = after;
    for (;;) {
      const page = await get(`/api/v1/events?after=${cursor}&limit=200`);
      events.push(...page.data);
      cursor = page.nextCursor;
      if (!page.hasMore) return { events, next: cursor };
    }
  };

  beforeAll(async () => {
    s = await startFullStack();
    v1 = await V1Client.connect(() => s.url);
    admin = await s.adminToken();
    const k = await s.api("/api/api-keys", {
      token: admin,
      method: "POST",
      json: { name: "Mirror", scopes: ["directory:read", "events:read"] },
    });
    key = k.body.key;
  }, 60_000);
  afterAll(() => s?.close());

  it("names a taken-over member by the profile id the application holds, in events and the snapshot", async () => {
    const first = await create("Contoso (old app registration)");
    await sync(first, "full");
    const before = await allProfiles();
    const off = await s.api(`/api/connections/${first}/deactivate`, { token: admin, method: "POST" });
    expect(off.status, off.text).toBe(200);
    const { next: mark } = await eventsAfter("0");

    second = await create("Contoso (new app registration)");
    await sync(second, "full");
    // A member added in Entra after the takeover, picked up by an incremental run.
    const sim = s.sim.directory;
    const synced = new Set(before.map((p) => p.entraObjectId));
    const users = sim.listUsers(DEMO_TENANT_ID).filter((u) => synced.has(u.id));
    // Transitive members: someone already in a group through a nested one is no change to the list.
    const group = sim.listGroups(DEMO_TENANT_ID).find((g) => {
      const members = new Set(sim.listMembers(DEMO_TENANT_ID, g.id, true));
      return members.size > 0 && users.some((u) => !members.has(u.id));
    });
    const members = new Set(sim.listMembers(DEMO_TENANT_ID, group?.id as string, true));
    const newcomer = users.find((u) => !members.has(u.id));
    expect(newcomer, "a synced user outside a group").toBeDefined();
    sim.addMember(DEMO_TENANT_ID, group?.id as string, newcomer?.id as string);
    await sync(second, "incremental");

    const profiles = await allProfiles();
    // The takeover kept every profile's id: these are the ids the application already holds.
    expect(profiles.map((p) => p.id).sort()).toEqual(before.map((p) => p.id).sort());
    const idOf = new Map(profiles.map((p) => [p.entraObjectId, p.id]));
    const { events } = await eventsAfter(mark);
    const added = events.filter((e) => e.type === "membership.added" && e.data.connectionId === second);
    expect(added.length).toBeGreaterThan(0);
    const wrong = added.filter((e) => e.data.profileId !== idOf.get(e.data.memberEntraObjectId));
    expect(wrong.map((e) => e.data.profileId)).toEqual([]);
    expect(added.some((e) => e.data.memberEntraObjectId === newcomer?.id)).toBe(true);

    const snapshot: Item[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(
        `/api/v1/snapshot?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      snapshot.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    const edges = snapshot.filter((o) => o.object === "membership");
    expect(edges.length).toBeGreaterThan(0);
    expect(edges.filter((e) => e.profileId !== idOf.get(e.memberEntraObjectId))).toEqual([]);
  }, 120_000);

  it("announces a deletion with data as purges, so a consumer following the feed drops what is gone", async () => {
    const mirror = new DirectoryMirror({ baseUrl: () => s.url, apiKey: key });
    await mirror.snapshot();
    const held = mirror.contents().filter((o) => (o as Item).connectionId === second);
    expect(held.length).toBeGreaterThan(0);
    const { next: mark } = await eventsAfter("0");

    const off = await s.api(`/api/connections/${second}/deactivate`, { token: admin, method: "POST" });
    expect(off.status, off.text).toBe(200);
    const del = await s.api(`/api/connections/${second}?confirm=true&data=remove`, {
      token: admin,
      method: "DELETE",
    });
    expect(del.status, del.text).toBe(200);

    const { events } = await eventsAfter(mark);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    const heldOf = (object: string) => held.filter((o) => o.object === object).length;
    expect(count("profile.purged")).toBe(heldOf("profile"));
    expect(count("list.purged")).toBe(heldOf("list"));
    expect(count("membership.removed")).toBe(heldOf("membership"));
    // Each event says which object is gone, in full, as it was.
    const purgedIds = new Set(events.filter((e) => e.type.endsWith(".purged")).map((e) => e.data.id));
    for (const o of held.filter((x) => x.object !== "membership")) expect(purgedIds.has(o.id)).toBe(true);

    await mirror.catchUp();
    expect(mirror.contents().filter((o) => (o as Item).connectionId === second)).toEqual([]);
    const fresh = new DirectoryMirror({ baseUrl: () => s.url, apiKey: key });
    await fresh.snapshot();
    expect(mirror.contents()).toEqual(fresh.contents());
  }, 120_000);
});
