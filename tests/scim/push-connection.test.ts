import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createdConnectionSchema } from "../../api/contract/connections.ts";
import { type RotateScimToken, SCIM_CUSTOM_SCHEMA, scimSetupSchema } from "../../api/contract/scim.ts";
import { DEMO_TENANT_ID as T } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { createScimConnection, type ScimConnection } from "../support/scim.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field
type Item = any;

const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  externalId: randomUUID(),
  active: true,
  name: { givenName: "Given", familyName: "Family" },
  emails: [{ type: "work", primary: true, value: `${userName}@contoso.example` }],
  ...extra,
});

/** A push connection as an admin sets it up and Entra uses it: its token, its guard, its attributes. */
describe("a push (scim) connection", () => {
  let s: FullStack;
  let admin: string;

  beforeAll(async () => {
    s = await startFullStack();
    admin = await s.adminToken();
  });
  afterAll(() => s?.close());

  it("shows its token once, keeps only a hash, audits it, and refuses other tokens with a SCIM 401", async () => {
    const created = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: { kind: "scim", name: "Shape test", allowConcurrent: true },
    });
    expect(createdConnectionSchema.safeParse(created.body).success, created.text).toBe(true);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const c = await createScimConnection(s, admin, { name: "Token test", allowConcurrent: true });
    expect(c.token).toMatch(/^edscim_[0-9a-f]{32}_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const read = await s.api(`/api/connections/${c.id}`, { token: admin });
    expect(read.text).not.toContain(c.token);
    expect(read.body).toMatchObject({ kind: "scim", status: "active", hasSecret: true });
    expect(read.body).not.toHaveProperty("scimTokens");
    const stored = await s.running.store.connections.get(T, c.id);
    expect(JSON.stringify(stored)).not.toContain(c.token);
    expect(stored?.scimTokens?.[0]?.hash).toBe(createHash("sha256").update(c.token).digest("hex"));
    const setup = await s.api(`/api/connections/${c.id}/scim`, { token: admin });
    expect(scimSetupSchema.safeParse(setup.body).success, setup.text).toBe(true);
    expect(setup.body).toMatchObject({ tenantUrl: expect.stringMatching(new RegExp(`/scim/v2/${c.id}$`)) });
    expect(setup.body.tokens).toHaveLength(1);
    expect(setup.text).not.toContain(stored?.scimTokens?.[0]?.hash);
    const audit = await s.api("/api/audit?action=scim-token.issued", { token: admin });
    expect(audit.body.items.some((a: Item) => a.target.id === c.id)).toBe(true);
    expect(audit.text).not.toContain(c.token);

    expect((await c.scim("/Users")).status).toBe(200);
    const other = await createScimConnection(s, admin, { name: "Another", allowConcurrent: true });
    for (const token of ["", "nonsense", `${c.token.slice(0, -4)}AAAA`, other.token]) {
      const refused = await c.scim("/Users", { token });
      expect(refused.status, token).toBe(401);
      expect(refused.body).toMatchObject({ schemas: [ERROR], status: "401" });
      expect(refused.headers.get("www-authenticate")).toContain("Bearer");
    }
  });

  it("rotates its token with a grace period during which old and new both work", async () => {
    const c = await createScimConnection(s, admin, { name: "Rotation test", allowConcurrent: true });
    const rotated = await s.api(`/api/connections/${c.id}/scim/token`, {
      token: admin,
      method: "POST",
      json: { graceMinutes: 60 } satisfies RotateScimToken,
    });
    expect(rotated.status, rotated.text).toBe(200);
    const second = rotated.body.token as string;
    expect(second).not.toBe(c.token);
    expect(Date.parse(rotated.body.previousValidUntil) - Date.now()).toBeGreaterThan(59 * 60_000);
    expect((await c.scim("/Users", { token: c.token })).status).toBe(200);
    expect((await c.scim("/Users", { token: second })).status).toBe(200);

    // A leaked token ends at once: grace 0 stops every earlier token.
    const third = (
      await s.api(`/api/connections/${c.id}/scim/token`, {
        token: admin,
        method: "POST",
        json: { graceMinutes: 0 },
      })
    ).body.token as string;
    expect((await c.scim("/Users", { token: c.token })).status).toBe(401);
    expect((await c.scim("/Users", { token: second })).status).toBe(401);
    expect((await c.scim("/Users", { token: third })).status).toBe(200);
    const audit = await s.api("/api/audit?action=scim-token.rotated", { token: admin });
    expect(audit.body.items.filter((a: Item) => a.target.id === c.id)).toHaveLength(2);
  });

  it("holds deletions past the guard's threshold, alerts, and applies them when an admin confirms", async () => {
    const c: ScimConnection = await createScimConnection(s, admin, {
      name: "Guard test",
      settings: { deletionGuard: { enabled: true, maxCount: 2, maxPercent: 0 } },
      allowConcurrent: true,
    });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await c.scim("/Users", { method: "POST", json: user(`guard${i}-${randomUUID()}`) })).body.id);
    for (const id of ids.slice(0, 3))
      expect((await c.scim(`/Users/${id}`, { method: "DELETE" })).status).toBe(204);
    const profileOf = (id: string) => s.running.store.profiles.get(T, `${c.id}.${id}`);
    expect((await profileOf(ids[0] as string))?.status).toBe("deleted");
    expect((await profileOf(ids[1] as string))?.status).toBe("deleted");
    // The third passes the threshold of 2: held, the person stays.
    expect((await profileOf(ids[2] as string))?.status).toBe("active");
    const tasks = await s.running.store.tasks.all(T, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: c.id }],
    });
    const halted = tasks.find((t) => t.status === "halted");
    expect(halted).toMatchObject({ trigger: "scim", halt: { wouldDelete: 1 } });
    const records = (await s.api(`/api/tasks/${halted?.id}/records?pageSize=50`, { token: admin })).body
      .items as Item[];
    expect(records.find((r) => r.sourceId === ids[2])?.action).toBe("pending-delete");
    const alerts = await s.running.store.events.all(T, {
      where: "c.taskId = @t",
      parameters: [{ name: "@t", value: halted?.id ?? "" }],
    });
    expect(alerts.map((a) => a.kind)).toContain("sync-halted");

    const confirmed = await s.api(`/api/tasks/${halted?.id}/confirm`, { token: admin, method: "POST" });
    expect(confirmed.status, confirmed.text).toBeLessThan(300);
    expect((await profileOf(ids[2] as string))?.status).toBe("deleted");
    expect((await s.running.store.tasks.get(T, halted?.id as string))?.status).toBe("succeeded");
    // The confirmed task is announced as a finished pull is, so the alert's readers learn it ended.
    const after = await s.running.store.events.all(T, {
      where: "c.taskId = @t",
      parameters: [{ name: "@t", value: halted?.id ?? "" }],
    });
    expect(after.map((a) => a.kind)).toContain("sync-finished");
  });

  it("takes a deleted user out of every group it was in, with the groups' counts", async () => {
    // Guard off: one deletion among two users would pass its default percentage and be held.
    const c = await createScimConnection(s, admin, {
      name: "Leaving test",
      settings: { deletionGuard: { enabled: false, maxCount: 50, maxPercent: 10 } },
      allowConcurrent: true,
    });
    const member = (await c.scim("/Users", { method: "POST", json: user(`leaver-${randomUUID()}`) })).body.id;
    const stayer = (await c.scim("/Users", { method: "POST", json: user(`stayer-${randomUUID()}`) })).body.id;
    const groups: string[] = [];
    for (const name of ["First team", "Second team"]) {
      const created = await c.scim("/Groups", {
        method: "POST",
        json: {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
          displayName: `${name} ${randomUUID()}`,
          members: [{ value: member }, { value: stayer }],
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      groups.push(created.body.id);
    }
    expect((await c.scim(`/Users/${member}`, { method: "DELETE" })).status).toBe(204);
    expect((await s.running.store.profiles.get(T, `${c.id}.${member}`))?.status).toBe("deleted");
    for (const id of groups) {
      const read = await c.scim(`/Groups/${id}`);
      expect(read.body.members.map((m: Item) => m.value)).toEqual([stayer]);
      expect((await s.running.store.lists.get(T, `${c.id}.${id}`))?.memberCount).toBe(1);
    }
  });

  it("keeps custom attributes defined in advance, ignores and reports the others", async () => {
    const defined = await s.api("/api/attributes", {
      token: admin,
      method: "POST",
      json: { name: "costCenter", label: "Cost center" },
    });
    expect(defined.status, defined.text).toBe(201);
    const c = await createScimConnection(s, admin, { name: "Attributes test", allowConcurrent: true });
    const created = await c.scim("/Users", {
      method: "POST",
      json: user(`attrs-${randomUUID()}`, {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", SCIM_CUSTOM_SCHEMA],
        [SCIM_CUSTOM_SCHEMA]: { costCenter: "CC-42", shoeSize: "44" },
      }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const profile = await s.running.store.profiles.get(T, `${c.id}.${created.body.id}`);
    expect(profile?.attributes).toEqual({ costCenter: "CC-42" });
    const [task] = await s.running.store.tasks.all(T, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: c.id }],
    });
    expect(task?.notes.join(" ")).toContain('"shoeSize"');
    const schemas = await c.scim("/Schemas");
    expect(JSON.stringify(schemas.body)).toContain("costCenter");
  });

  it("creates nothing twice when Entra replays a create, even concurrently", async () => {
    const c = await createScimConnection(s, admin, { name: "Replay test", allowConcurrent: true });
    const body = user(`replay-${randomUUID()}`, { externalId: `not-a-guid-${randomUUID()}` });
    const answers = await Promise.all([1, 2, 3].map(() => c.scim("/Users", { method: "POST", json: body })));
    for (const a of answers) expect([201, 409]).toContain(a.status);
    const again = await c.scim("/Users", { method: "POST", json: body });
    expect(again.status).toBe(409);
    const all = await c.scim(`/Users?filter=${encodeURIComponent(`userName eq "${body.userName}"`)}`);
    expect(all.body.totalResults).toBe(1);
    const profiles = await s.running.store.profiles.all(T, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: c.id }],
    });
    expect(profiles).toHaveLength(1);
  });

  it("answers bodies it cannot use with a SCIM error naming the attribute", async () => {
    const c = await createScimConnection(s, admin, { name: "Validation test", allowConcurrent: true });
    const junk = await fetch(`${c.tenantUrl}/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.token}`, "content-type": "application/scim+json" },
      body: '{"userName": tre',
    });
    expect(junk.status).toBe(400);
    expect(await junk.json()).toMatchObject({ schemas: [ERROR], scimType: "invalidSyntax" });
    const noName = await c.scim("/Users", { method: "POST", json: { ...user("x"), userName: undefined } });
    expect(noName.body).toMatchObject({
      status: "400",
      scimType: "invalidValue",
      detail: expect.stringContaining("userName"),
    });
    const noSurname = await c.scim("/Users", {
      method: "POST",
      json: user(`n-${randomUUID()}`, { name: { givenName: "Only" } }),
    });
    expect(noSurname.status).toBe(400);
    expect(noSurname.body.detail).toContain("name.familyName");
    const badActive = await c.scim("/Users", {
      method: "POST",
      json: user(`a-${randomUUID()}`, { active: "maybe" }),
    });
    expect(badActive.body.detail).toContain("active");
    const id = (await c.scim("/Users", { method: "POST", json: user(`p-${randomUUID()}`) })).body.id;
    const badOp = await c.scim(`/Users/${id}`, {
      method: "PATCH",
      json: { schemas: [PATCH], Operations: [{ op: "move", path: "x" }] },
    });
    expect(badOp.body).toMatchObject({ status: "400", detail: expect.stringContaining("Operations[0].op") });
    const huge = await c.scim("/Users", {
      method: "POST",
      json: user(`h-${randomUUID()}`, { displayName: "x".repeat(1_100_000) }),
    });
    expect(huge.status).toBe(413);
    expect((await c.scim(`/Users/${randomUUID()}`)).body).toMatchObject({ schemas: [ERROR], status: "404" });
  });
});

describe("a push connection's request budget", () => {
  let s: FullStack;
  afterAll(() => s?.close());

  it("answers 429 with Retry-After once a token spends its budget", async () => {
    s = await startFullStack({ start: { scim: { requestsPerSecond: 1, burst: 3 } } });
    const c = await createScimConnection(s, await s.adminToken(), { name: "Budget test" });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await c.scim("/Users");
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        expect(res.body).toMatchObject({ schemas: [ERROR], scimType: "tooMany" });
      }
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});
