import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectoryMirror, type FeedEvent } from "../../examples/directory-mirror/mirror.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { V1Client } from "../support/v1-api.ts";

const T = DEMO_TENANT_ID;
const ADELE = "AdeleV@M365x214355.onmicrosoft.com";
const ALEX = "AlexW@M365x214355.onmicrosoft.com";
const DIEGO = "DiegoS@M365x214355.onmicrosoft.com";

// biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
type Item = any;

/** The Directory API and its change feed, read by an application with an API key, every answer checked. */
describe("Directory API and change feed", () => {
  let s: FullStack;
  let v1: V1Client;
  let admin: string;
  let key: string;
  let connectionId: string;

  const sync = async (type: "full" | "incremental") => {
    const started = await s.api(`/api/connections/${connectionId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type },
    });
    expect(started.status, started.text).toBe(202);
    const task = await s.waitForTask(started.body.id);
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    return task;
  };
  const get = async (path: string, init: Record<string, unknown> = {}) => {
    const res = await v1.call(path, { token: key, ...init });
    expect(res.status, `${path}: ${res.text.slice(0, 300)}`).toBe(200);
    return res.body;
  };
  const all = async (path: string): Promise<Item[]> => {
    const out: Item[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const page = await get(`${path}${sep}limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      out.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  };
  /** The product's directory right now, as a new consumer's snapshot sees it. */
  const productDirectory = async () => {
    const fresh = new DirectoryMirror({ baseUrl: s.url, apiKey: key });
    await fresh.snapshot();
    return fresh.contents();
  };

  beforeAll(async () => {
    s = await startFullStack();
    v1 = await V1Client.connect(() => s.url);
    admin = await s.adminToken();
    const created = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: {
        name: "Contoso",
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
      },
    });
    connectionId = created.body.id;
    const k = await s.api("/api/api-keys", {
      token: admin,
      method: "POST",
      json: { name: "Mirror", scopes: ["directory:read", "events:read"] },
    });
    key = k.body.key;
  }, 60_000);
  afterAll(() => s?.close());

  it("profiles and lists page by cursor, filter, and answer by id with ETags, without internal fields", async () => {
    await sync("full");
    const profiles = await all("/api/v1/profiles");
    expect(profiles.length).toBe(29);
    expect(new Set(profiles.map((p) => p.id)).size).toBe(29);
    for (const p of profiles)
      for (const k of Object.keys(p))
        expect(k.startsWith("_") || ["hash", "tenantId", "changeSeq", "lastTaskId"].includes(k)).toBe(false);

    const adele = (await get(`/api/v1/profiles?email=${encodeURIComponent(ADELE.toUpperCase())}`)).data[0];
    expect(adele.email.toLowerCase()).toBe(ADELE.toLowerCase());
    const byOid = await get(`/api/v1/profiles?entraObjectId=${adele.entraObjectId}`);
    expect(byOid.data.map((p: Item) => p.id)).toEqual([adele.id]);
    const one = await v1.call(`/api/v1/profiles/${adele.id}`, { token: key });
    expect(one.body).toEqual(adele);
    const etag = one.headers.get("etag");
    expect(etag).toBeTruthy();
    const again = await v1.call(`/api/v1/profiles/${adele.id}`, {
      token: key,
      headers: { "if-none-match": etag as string },
    });
    expect(again.status).toBe(304);

    const lists = await all("/api/v1/lists");
    expect(lists.length).toBe(11);
    const adelesLists = await all(`/api/v1/profiles/${adele.id}/lists`);
    expect(adelesLists.length).toBeGreaterThan(0);
    const list = adelesLists[0];
    const members = await all(`/api/v1/lists/${list.id}/members`);
    expect(members.length).toBe(list.memberCount);
    expect(members.find((m) => m.id === adele.id)?.fields).toEqual(adele.fields);
    const filtered = await all(`/api/v1/profiles?list=${encodeURIComponent(list.id)}&status=active`);
    expect(filtered.map((p) => p.id).sort()).toEqual(
      members
        .filter((m) => m.status === "active")
        .map((m) => m.id)
        .sort(),
    );

    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await get(`/api/v1/profiles?updatedAfter=${encodeURIComponent(later)}`)).data).toEqual([]);
    const bad = await v1.call("/api/v1/profiles?status=gone&limit=900", { token: key });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["limit", "status"]);
    expect((await v1.call("/api/v1/profiles/nobody", { token: key })).status).toBe(404);
  });

  it("a consumer's snapshot plus the feed follows every change, with old and new values, cause and trigger", async () => {
    const mirror = new DirectoryMirror({ baseUrl: s.url, apiKey: key });
    await mirror.snapshot();
    expect(mirror.contents()).toEqual(await productDirectory());

    const adele = s.sim.directory.getUser(T, ADELE);
    const oldTitle = adele.jobTitle;
    s.sim.directory.updateUser(T, ADELE, { jobTitle: "Head of Marketing" });
    s.sim.directory.disableUser(T, ALEX);
    s.sim.directory.softDeleteUser(T, DIEGO);
    const group = s.sim.directory
      .listGroups(T)
      .find((g) => s.sim.directory.listMembers(T, g.id).includes(adele.id));
    if (!group) throw new Error("Adele is in no group");
    const groupName = group.displayName;
    s.sim.directory.updateGroup(T, group.id, { displayName: `${groupName} (renamed)` });
    const task = await sync("incremental");

    const events: FeedEvent[] = [];
    let after = mirror.cursor as string;
    for (;;) {
      const page = await get(`/api/v1/events?after=${after}&limit=3`);
      events.push(...page.data);
      after = page.nextCursor;
      if (!page.hasMore) break;
    }
    for (const e of events) mirror.apply(e);
    expect(mirror.contents()).toEqual(await productDirectory());

    const cursors = events.map((e) => Number(e.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const byType = (type: string) => events.filter((e) => e.type === type) as Item[];
    const updated = byType("profile.updated").find(
      (e) => e.data.email?.toLowerCase() === ADELE.toLowerCase(),
    );
    expect(updated.changes["fields.jobTitle"]).toEqual({ from: oldTitle, to: "Head of Marketing" });
    expect(updated.cause).toEqual({ taskId: task.id, trigger: "manual" });
    expect(byType("profile.deactivated").map((e) => e.data.email.toLowerCase())).toEqual([
      ALEX.toLowerCase(),
    ]);
    expect(byType("profile.deleted").map((e) => e.data.email.toLowerCase())).toEqual([DIEGO.toLowerCase()]);
    expect(
      byType("list.updated").map((e) => e.changes?.name?.to),
      JSON.stringify(events.map((e) => [e.type, (e as Item).changes, (e.data as Item).name])),
    ).toContain(`${groupName} (renamed)`);
    expect(byType("connection.sync_finished").map((e) => e.data.taskId)).toContain(task.id);

    // Only some types, and an unknown one named.
    const onlyLists = await get(`/api/v1/events?after=0&types=list.updated,list.created&limit=500`);
    expect(onlyLists.data.every((e: Item) => e.type.startsWith("list."))).toBe(true);
    const unknown = await v1.call("/api/v1/events?after=0&types=profile.exploded", { token: key });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toHaveProperty("types");
    const missing = await v1.call("/api/v1/events", { token: key });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toHaveProperty("after");
  });

  it("a cursor older than the feed's retention answers 410 telling the consumer to resnapshot", async () => {
    const mirror = new DirectoryMirror({ baseUrl: s.url, apiKey: key });
    await mirror.snapshot();
    expect(Number(mirror.cursor)).toBeGreaterThan(2);
    // The retention job runs as if 31 days had passed.
    const removed = await s.feed.trimExpired(Date.now() + 31 * 86_400_000);
    expect(removed).toBeGreaterThan(0);
    const old = await v1.call("/api/v1/events?after=1", { token: key });
    expect(old.status).toBe(410);
    expect(old.body.error.code).toBe("cursor-expired");
    expect(old.body.error.remedy).toContain("snapshot");
    // The consumer resnapshots by itself and ends equal to the product.
    mirror.cursor = "1";
    s.sim.directory.updateUser(T, ADELE, { jobTitle: "Chief Marketing Officer" });
    await sync("incremental");
    await mirror.catchUp();
    expect(mirror.contents()).toEqual(await productDirectory());
  });
});
