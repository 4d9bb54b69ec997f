import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { createScimConnection, type ScimConnection } from "../support/scim.ts";

const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const user = (userName: string) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  externalId: randomUUID(),
  active: true,
  name: { givenName: "Given", familyName: "Family" },
  emails: [{ type: "work", primary: true, value: `${userName}@contoso.example` }],
});

/** What an attacker or a careless client sends the SCIM endpoint: each answer is a SCIM error, never a 500. */
describe("the SCIM endpoint under hostile and careless requests", () => {
  let s: FullStack;
  let admin: string;
  let a: ScimConnection;
  let b: ScimConnection;

  beforeAll(async () => {
    s = await startFullStack();
    admin = await s.adminToken();
    a = await createScimConnection(s, admin, { name: "Attack A", allowConcurrent: true });
    b = await createScimConnection(s, admin, { name: "Attack B", allowConcurrent: true });
  });
  afterAll(() => s?.close());

  const expectScimError = (res: { status: number; body: unknown }, status: number) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: String(status) });
    expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |node_modules/);
  };

  it("refuses a token on another connection's URL, other schemes, altered case and oversize tokens", async () => {
    const otherAdmin = await s.adminToken(OTHER_TENANT_ID);
    const foreign = await createScimConnection(s, otherAdmin, { name: "Foreign", allowConcurrent: true });
    for (const [c, token] of [
      [b, a.token],
      [foreign, a.token],
      [a, foreign.token],
      [a, a.token.toUpperCase()],
      [a, `${a.token}x`],
      [a, "x".repeat(6_000)],
    ] as const)
      expectScimError(await c.scim("/Users", { token }), 401);
    expectScimError(await a.scim("/Users", { headers: { authorization: "" } }), 401);
    expectScimError(
      await a.scim("/Users", {
        headers: { authorization: `Basic ${Buffer.from(`x:${a.token}`).toString("base64")}` },
      }),
      401,
    );
    expect((await a.scim("/Users", { headers: { authorization: `bearer   ${a.token}  ` } })).status).toBe(
      200,
    );
  });

  it("answers odd bodies with SCIM errors", async () => {
    const big = { ...user("big"), displayName: "x".repeat(1_100_000) };
    expectScimError(await a.scim("/Users", { method: "POST", json: big }), 413);
    const nested = await fetch(`${a.tenantUrl}/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${a.token}`, "content-type": "application/scim+json" },
      body: `{"userName":"deep","nested":${"[".repeat(5000)}${"]".repeat(5000)}}`,
    });
    expect(nested.status).toBeLessThan(500);
    const plain = await a.scim("/Users", {
      method: "POST",
      json: user("plainjson"),
      headers: { "content-type": "text/plain" },
    });
    expectScimError(plain, 400);
    for (const userName of [`u${"x".repeat(10_000)}`, "ctl\u0000\u0007\u001b[31m"]) {
      const refused = await a.scim("/Users", { method: "POST", json: user(userName) });
      expectScimError(refused, 400);
      expect(refused.body).toMatchObject({
        scimType: "invalidValue",
        detail: expect.stringMatching(/^userName/),
      });
    }
  });

  it("keeps prototype keys in PATCH from polluting anything", async () => {
    const created = await a.scim("/Users", { method: "POST", json: user(`proto-${randomUUID()}`) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (const Operations of [
      [{ op: "add", path: "__proto__.polluted", value: "yes" }],
      [{ op: "replace", path: "constructor.prototype.polluted", value: "yes" }],
      [{ op: "replace", value: { "__proto__.polluted": "yes" } }],
      [{ op: "replace", value: JSON.parse('{"__proto__":{"polluted":"yes"}}') }],
      [{ op: "add", path: "name.__proto__.polluted", value: "yes" }],
      [
        {
          op: "add",
          path: "name",
          value: JSON.parse('{"givenName":"G","constructor":{"prototype":{"polluted":"yes"}}}'),
        },
      ],
    ]) {
      const res = await a.scim(`/Users/${id}`, { method: "PATCH", json: { schemas: [PATCH], Operations } });
      expectScimError(res, 400);
      expect(res.body.scimType).toMatch(/^invalid(Path|Value)$/);
      expect(res.body.detail).toMatch(/^Operations\[0\]/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    expect((await a.scim(`/Users/${id}`)).body).toMatchObject({ name: created.body.name });
    const withProtoKey = {
      ...user(`proto-${randomUUID()}`),
      name: JSON.parse('{"givenName":"G","familyName":"F","__proto__":{"polluted":"yes"}}'),
    };
    const posted = await a.scim("/Users", { method: "POST", json: withProtoKey });
    expectScimError(posted, 400);
    expect(posted.body).toMatchObject({
      scimType: "invalidValue",
      detail: expect.stringMatching(/^name\.__proto__:/),
    });
    for (const Operations of [
      [{ op: "replace", path: 'emails[type eq "nothing"].value', value: "x@y.z" }],
      [{ op: "remove", path: 'emails[type ne "nothing"]' }],
    ]) {
      const res = await a.scim(`/Users/${id}`, { method: "PATCH", json: { schemas: [PATCH], Operations } });
      expect(res.status, `${JSON.stringify(Operations)} ${JSON.stringify(res.body)}`).toBeLessThan(500);
    }
  });

  it("answers bad filters with invalidFilter and bad paging sensibly", async () => {
    const ors = Array.from({ length: 1000 }, (_, i) => `userName eq "u${i}"`).join(" or ");
    for (const filter of [
      'userName eq "unbalanced',
      'userName zz "x"',
      '((userName eq "x"',
      ors,
      'userName eq "x" and',
      "",
      "   ",
    ]) {
      const res = await a.scim(`/Users?filter=${encodeURIComponent(filter)}`);
      expect(
        res.status,
        `${filter.slice(0, 40)} ${String(JSON.stringify(res.body)).slice(0, 300)}`,
      ).toBeLessThan(500);
    }
    for (const q of [
      "startIndex=0",
      "startIndex=-5",
      "count=-1",
      "count=0",
      "count=99999999999",
      "startIndex=abc",
      "count=abc",
      "startIndex=1e308",
      "count[]=1",
    ]) {
      const res = await a.scim(`/Users?${q}`);
      expect(res.status, `${q} ${String(JSON.stringify(res.body)).slice(0, 300)}`).toBeLessThan(500);
    }
  });

  it("does not let a group of one connection take members from another", async () => {
    const foreignUser = await b.scim("/Users", { method: "POST", json: user(`b-${randomUUID()}`) });
    expect(foreignUser.status).toBe(201);
    const group = await a.scim("/Groups", {
      method: "POST",
      json: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        displayName: `g-${randomUUID()}`,
        members: [{ value: foreignUser.body.id }],
      },
    });
    expect(group.status).toBe(201);
    const read = await a.scim(`/Groups/${group.body.id}`);
    expect(read.body.members ?? []).toEqual([]);
    const patched = await a.scim(`/Groups/${group.body.id}`, {
      method: "PATCH",
      json: {
        schemas: [PATCH],
        Operations: [{ op: "add", path: "members", value: [{ value: foreignUser.body.id }] }],
      },
    });
    expect(patched.status).toBeLessThan(500);
    expect((await a.scim(`/Groups/${group.body.id}`)).body.members ?? []).toEqual([]);
    const inj = await a.scim(`/Groups/${group.body.id}`, {
      method: "PATCH",
      json: { schemas: [PATCH], Operations: [{ op: "remove", path: 'members[value eq "x" or value pr]' }] },
    });
    expect(inj.status, JSON.stringify(inj.body)).toBeLessThan(500);
  });
});
