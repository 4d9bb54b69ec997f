import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProfileDoc, TaskDoc } from "../../api/store/documents.ts";
import { DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { createScimConnection, type ScimConnection } from "../support/scim.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
type Item = any;

const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
/** Short, so a scenario's cycle closes while the test waits; requests of one scenario come well within it. */
const CYCLE_IDLE_MS = 4000;
/** The documented sequences remove one person of one: the push guard (tested apart) would hold that. */
const NO_GUARD = { settings: { deletionGuard: { enabled: false } }, allowConcurrent: true };

/**
 * The request sequences of Microsoft's "Develop and plan provisioning for a SCIM endpoint in Microsoft
 * Entra ID" (User operations, Group operations), replayed in both PATCH dialects Entra speaks: its default
 * one and the one the `aadOptscim062020` feature flag turns on. Each checks the directory the requests
 * leave, the task the provisioning cycle shows in History with its records, and the change feed's events.
 */
describe("Entra's documented SCIM request sequences", () => {
  let s: FullStack;
  let admin: string;
  let apiKey: string;

  beforeAll(async () => {
    s = await startFullStack({ start: { scim: { cycleIdleMs: CYCLE_IDLE_MS } } });
    admin = await s.adminToken();
    const key = await s.api("/api/api-keys", {
      token: admin,
      method: "POST",
      json: { name: "feed reader", scopes: ["events:read", "directory:read"] },
    });
    apiKey = key.body.key;
  });
  afterAll(() => s?.close());

  const profile = (id: string) =>
    s.running.store.profiles.get(DEMO_TENANT_ID, id) as Promise<ProfileDoc | undefined>;
  const events = async (after = 0): Promise<Item[]> => {
    const res = await fetch(`${s.url}/api/v1/events?after=${after}&limit=500`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    return ((await res.json()) as { data: Item[] }).data;
  };
  const lastSeq = async () => {
    const all = await events();
    return all.length ? Number(all[all.length - 1].seq ?? all.length) : 0;
  };
  /** The connection's provisioning-cycle tasks, oldest first, once the last cycle has closed. */
  const closedCycles = async (connectionId: string): Promise<TaskDoc[]> => {
    for (let i = 0; i < 100; i++) {
      const tasks = await s.running.store.tasks.all(DEMO_TENANT_ID, {
        where: "c.connectionId = @c",
        parameters: [{ name: "@c", value: connectionId }],
        orderBy: "c.createdAt ASC",
      });
      if (tasks.length > 0 && tasks.every((t) => t.status !== "running")) return tasks;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("the provisioning cycle did not close");
  };
  const records = async (taskId: string) =>
    (await s.api(`/api/tasks/${taskId}/records?pageSize=200`, { token: admin })).body.items as Item[];

  const createUserBody = (externalId: string, userName: string) => ({
    schemas: [
      "urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    ],
    externalId,
    userName,
    active: true,
    emails: [{ primary: true, type: "work", value: `${userName}@testuser.com` }],
    meta: { resourceType: "User" },
    name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
    roles: [],
  });

  for (const dialect of ["default", "aadOptscim062020"] as const) {
    const flag = dialect === "aadOptscim062020";
    it(`users: create, get by query, update, disable, delete (${dialect} PATCH dialect)`, async () => {
      const c: ScimConnection = await createScimConnection(s, admin, {
        name: `Entra users ${dialect}`,
        ...NO_GUARD,
      });
      await s.api(`/api/connections/${c.id}/reactivate`, { token: admin, method: "POST" });
      const before = await lastSeq();

      // The test-connection request: a filter on a random GUID, expected to find nothing.
      const probe = await c.scim(`/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`);
      expect(probe.status).toBe(200);
      expect(probe.body).toMatchObject({ totalResults: 0, Resources: [] });

      const externalId = randomUUID();
      const userName = `Test_User_${randomUUID()}`;
      const none = await c.scim(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      expect(none.body.totalResults).toBe(0);
      const created = await c.scim("/Users", { method: "POST", json: createUserBody(externalId, userName) });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({
        id: externalId,
        userName,
        active: true,
        meta: { resourceType: "User" },
      });
      expect(created.headers.get("etag")).toBe('W/"1"');
      const id = created.body.id as string;

      const got = await c.scim(`/Users/${id}`);
      expect(got.body.emails[0].value).toBe(`${userName}@testuser.com`);
      const byQuery = await c.scim(
        `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`,
      );
      expect(byQuery.body.totalResults).toBe(1);
      expect(byQuery.body.Resources[0].id).toBe(id);
      const duplicate = await c.scim("/Users", {
        method: "POST",
        json: createUserBody(randomUUID(), userName),
      });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ schemas: [ERROR], scimType: "uniqueness", status: "409" });

      // Update [multi-valued properties], then [single-valued properties].
      const multi = flag
        ? [
            {
              op: "replace",
              value: {
                'emails[type eq "work"].value': "updatedEmail@microsoft.com",
                "name.familyName": "updatedFamilyName",
              },
            },
          ]
        : [
            { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@microsoft.com" },
            { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
          ];
      expect(
        (await c.scim(`/Users/${id}`, { method: "PATCH", json: { schemas: [PATCH], Operations: multi } }))
          .status,
      ).toBe(204);
      const newName = `${randomUUID()}@testuser.com`;
      const single = [{ op: flag ? "replace" : "Replace", path: "userName", value: newName }];
      expect(
        (await c.scim(`/Users/${id}`, { method: "PATCH", json: { schemas: [PATCH], Operations: single } }))
          .status,
      ).toBe(204);
      const updated = await c.scim(`/Users/${id}`);
      expect(updated.body).toMatchObject({ userName: newName, name: { familyName: "updatedFamilyName" } });
      expect(updated.body.emails[0].value).toBe("updatedEmail@microsoft.com");
      const stored = await profile(`${c.id}.${id}`);
      expect(stored).toMatchObject({
        status: "active",
        fields: { lastName: "updatedFamilyName", email: "updatedEmail@microsoft.com" },
      });

      // Disable: the default dialect sends the string "False", the flag's a boolean.
      const disable = flag
        ? [{ op: "replace", path: "active", value: false }]
        : [{ op: "Replace", path: "active", value: "False" }];
      const stale = await c.scim(`/Users/${id}`, {
        method: "PATCH",
        json: { schemas: [PATCH], Operations: disable },
        headers: { "if-match": 'W/"1"' },
      });
      expect(stale.status).toBe(412);
      expect(
        (await c.scim(`/Users/${id}`, { method: "PATCH", json: { schemas: [PATCH], Operations: disable } }))
          .status,
      ).toBe(204);
      expect((await c.scim(`/Users/${id}`)).body.active).toBe(false);
      expect((await profile(`${c.id}.${id}`))?.status).toBe("inactive");

      expect((await c.scim(`/Users/${id}`, { method: "DELETE" })).status).toBe(204);
      const gone = await c.scim(`/Users/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toMatchObject({ schemas: [ERROR], status: "404" });
      const deleted = await profile(`${c.id}.${id}`);
      expect(deleted?.status).toBe("deleted");
      expect(Date.parse(deleted?.purgeAfter ?? "") - Date.parse(deleted?.deletedAt ?? "")).toBe(
        30 * 86400_000,
      );

      const [cycle, ...more] = await closedCycles(c.id);
      expect(more).toHaveLength(0);
      expect(cycle).toMatchObject({ trigger: "scim", taskType: "incremental", status: "succeeded" });
      expect(cycle?.counters.users).toMatchObject({ created: 1, updated: 2, deactivated: 1, deleted: 1 });
      const rows = await records(cycle?.id as string);
      expect(rows.map((r) => [r.sourceId, r.action])).toEqual([[id, "deleted"]]);
      expect(cycle?.notes.join(" ")).not.toContain("roles");
      const feed = (await events(before)).filter(
        (e) => e.data?.id === `${c.id}.${id}` || e.object?.id === `${c.id}.${id}`,
      );
      expect(feed.map((e) => e.type ?? e.eventType)).toEqual([
        "profile.created",
        "profile.updated",
        "profile.updated",
        "profile.deactivated",
        "profile.deleted",
      ]);
    });

    it(`groups: create, get, rename, add and remove members, delete (${dialect} PATCH dialect)`, async () => {
      const c = await createScimConnection(s, admin, { name: `Entra groups ${dialect}`, ...NO_GUARD });
      await s.api(`/api/connections/${c.id}/reactivate`, { token: admin, method: "POST" });
      const member = await c.scim("/Users", {
        method: "POST",
        json: createUserBody(randomUUID(), `Member_${randomUUID()}`),
      });
      const memberId = member.body.id as string;
      const externalId = randomUUID();
      const group = await c.scim("/Groups", {
        method: "POST",
        json: {
          externalId,
          schemas: [
            "urn:ietf:params:scim:schemas:core:2.0:Group",
            "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group",
          ],
          displayName: "displayName",
          meta: { resourceType: "Group" },
        },
      });
      expect(group.status, JSON.stringify(group.body)).toBe(201);
      const id = group.body.id as string;
      expect(id).toBe(externalId);
      const slim = await c.scim(`/Groups/${id}?excludedAttributes=members`);
      expect(slim.body).toMatchObject({ id, displayName: "displayName" });
      expect(slim.body).not.toHaveProperty("members");
      const byName = await c.scim(
        `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}`,
      );
      expect(byName.body.totalResults).toBe(1);

      const op = (name: string) => (flag ? name.toLowerCase() : name);
      const rename = [{ op: op("Replace"), path: "displayName", value: `${id}updatedDisplayName` }];
      expect(
        (await c.scim(`/Groups/${id}`, { method: "PATCH", json: { schemas: [PATCH], Operations: rename } }))
          .status,
      ).toBe(204);
      const add = [{ op: op("Add"), path: "members", value: [{ $ref: null, value: memberId }] }];
      expect(
        (await c.scim(`/Groups/${id}`, { method: "PATCH", json: { schemas: [PATCH], Operations: add } }))
          .status,
      ).toBe(204);
      // A replay of the same add (Entra retries) changes nothing.
      expect(
        (await c.scim(`/Groups/${id}`, { method: "PATCH", json: { schemas: [PATCH], Operations: add } }))
          .status,
      ).toBe(204);
      const list = await s.running.store.lists.get(DEMO_TENANT_ID, `${c.id}.${id}`);
      expect(list).toMatchObject({ name: `${id}updatedDisplayName`, memberCount: 1 });
      expect((await c.scim(`/Groups/${id}`)).body.members.map((m: Item) => m.value)).toEqual([memberId]);

      const remove = flag
        ? [{ op: "remove", path: `members[value eq "${memberId}"]` }]
        : [{ op: "Remove", path: "members", value: [{ $ref: null, value: memberId }] }];
      expect(
        (await c.scim(`/Groups/${id}`, { method: "PATCH", json: { schemas: [PATCH], Operations: remove } }))
          .status,
      ).toBe(204);
      expect((await s.running.store.lists.get(DEMO_TENANT_ID, `${c.id}.${id}`))?.memberCount).toBe(0);
      expect((await c.scim(`/Groups/${id}`, { method: "DELETE" })).status).toBe(204);
      expect((await c.scim(`/Groups/${id}`)).status).toBe(404);
      expect((await s.running.store.lists.get(DEMO_TENANT_ID, `${c.id}.${id}`))?.status).toBe("deleted");

      const [cycle, ...more] = await closedCycles(c.id);
      expect(more).toHaveLength(0);
      expect(cycle?.counters.lists).toMatchObject({ created: 1, deleted: 1 });
      expect(cycle?.counters.lists.updated).toBeGreaterThanOrEqual(3);
      const feed = (await events()).filter((e) => JSON.stringify(e).includes(`${c.id}.${id}`));
      const types = feed.map((e) => e.type ?? e.eventType);
      expect(types[0]).toBe("list.created");
      expect(types.filter((t) => t === "membership.added")).toHaveLength(1);
      expect(types.filter((t) => t === "membership.removed")).toHaveLength(1);
      expect(types.at(-1)).toBe("list.deleted");
    });
  }
});
