import { readFileSync } from "node:fs";
import { Client } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_CUSTOMER_APP,
  DEMO_ORDINARY_USER_ID,
  DEMO_TENANT_ID,
  OTHER_TENANT_ID,
  type RunningSimulator,
} from "../../sim/index.ts";
import { appToken, graph, startTestSimulator, walk } from "./helpers.ts";

let sim: RunningSimulator;
let token: string;
const fixtureIds: string[] = (
  JSON.parse(readFileSync(new URL("../../sim/seed/demo-tenant-users.json", import.meta.url), "utf8")) as {
    value: { id: string }[];
  }
).value.map((u) => u.id);
const eventual = { ConsistencyLevel: "eventual" };
const groupId = (name: string) =>
  sim.directory.listGroups(DEMO_TENANT_ID).find((g) => g.displayName === name)?.id as string;

beforeAll(async () => {
  sim = await startTestSimulator();
  token = await appToken(sim);
});
afterAll(() => sim.close());

describe("users", () => {
  it("pages with $top and nextLink through every user exactly once", async () => {
    const { items, pages } = await walk(sim, token, "/users?$top=5");
    const ids = items.map((u) => u.id as string);
    const total = sim.directory.listUsers(DEMO_TENANT_ID).length;
    expect(fixtureIds).toHaveLength(32);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(total);
    expect(ids).toEqual(expect.arrayContaining(fixtureIds));
    expect(pages).toBe(Math.ceil(total / 5));
  });

  it("rejects $top above 999 as Graph does", async () => {
    const res = await graph(sim, token, "/users?$top=1000");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("Request_BadRequest");
    expect(res.body.error.message).toContain("Must be between 1 and 999");
    expect(res.body.error.innerError).toHaveProperty("request-id");
    expect(res.body.error.innerError).toHaveProperty("date");
  });

  it("returns Graph's default property set, or only $select plus id", async () => {
    const all = await graph(sim, token, `/users/${DEMO_ORDINARY_USER_ID}`);
    expect(Object.keys(all.body).sort()).toEqual(
      [
        "@odata.context",
        "businessPhones",
        "displayName",
        "givenName",
        "id",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
      ].sort(),
    );
    const some = await graph(
      sim,
      token,
      "/users?$select=displayName,department,onPremisesExtensionAttributes&$top=2",
    );
    expect(Object.keys(some.body.value[0]).sort()).toEqual([
      "department",
      "displayName",
      "id",
      "onPremisesExtensionAttributes",
    ]);
    expect(some.body["@odata.context"]).toBe(
      `${sim.url}/v1.0/$metadata#users(displayName,department,onPremisesExtensionAttributes)`,
    );
    const byUpn = await graph(
      sim,
      token,
      "/users/AdeleV@M365x214355.onmicrosoft.com?$select=accountEnabled,userType",
    );
    expect(byUpn.body).toMatchObject({ id: DEMO_ORDINARY_USER_ID, accountEnabled: true, userType: "Member" });
    expect((await graph(sim, token, "/users?$select=nope")).status).toBe(400);
    expect((await graph(sim, token, "/users/00000000-0000-0000-0000-000000000000")).body.error.code).toBe(
      "Request_ResourceNotFound",
    );
  });

  it("filters with eq, startswith, in, and/or, booleans and lambdas", async () => {
    const names = async (filter: string, headers: Record<string, string> = {}) =>
      (await walk(sim, token, `/users?$filter=${encodeURIComponent(filter)}`, headers)).items.map(
        (u) => u.displayName,
      );
    expect(await names("displayName eq 'Adele Vance'")).toEqual(["Adele Vance"]);
    expect(await names("startswith(displayName,'Conf Room')")).toHaveLength(6);
    expect(await names("userType eq 'Guest'")).toHaveLength(2);
    expect(await names("accountEnabled eq false")).toEqual(["Jordan Ellis", "Sam Okafor"]);
    expect(await names("givenName in ('Adele','Alex') or surname eq 'Gu'")).toEqual([
      "Adele Vance",
      "Alex Wilber",
      "Lee Gu",
    ]);
    expect(await names("startswith(givenName,'A') and userType eq 'Member'")).toEqual([
      "Adele Vance",
      "Alex Wilber",
      "Allan Deyoung",
    ]);
    expect(await names("proxyAddresses/any(p:p eq 'SMTP:rowan.price@contoso.com')")).toEqual(["Rowan Price"]);
    expect(await names("mail eq 'TaylorR@M365x214355.onmicrosoft.com'")).toHaveLength(2);
  });

  it("requires ConsistencyLevel: eventual with $count for advanced queries", async () => {
    const plain = await graph(sim, token, "/users?$filter=userType ne 'Guest'");
    expect(plain.status).toBe(400);
    expect(plain.body.error.code).toBe("Request_UnsupportedQuery");
    const dept = await graph(sim, token, "/users?$filter=department eq 'Finance'");
    expect(dept.status).toBe(400);
    const countNoHeader = await graph(sim, token, "/users?$count=true");
    expect(countNoHeader.status).toBe(400);
    const advanced = await graph(sim, token, "/users?$count=true&$filter=department eq 'Finance'", {
      headers: eventual,
    });
    expect(advanced.status).toBe(200);
    expect(advanced.body["@odata.count"]).toBe(advanced.body.value.length);
    expect(advanced.body["@odata.count"]).toBeGreaterThan(2);
    const total = await graph(sim, token, "/users/$count", { headers: eventual });
    expect(total.body).toBe(String(sim.directory.listUsers(DEMO_TENANT_ID).length));
    const unsupported = await graph(sim, token, "/users?$filter=signInActivity eq 'x'");
    expect(unsupported.body.error.code).toBe("Request_UnsupportedQuery");
  });

  it("orders by displayName", async () => {
    const { items } = await walk(sim, token, "/users?$orderby=displayName&$top=999");
    const names = items.map((u) => String(u.displayName));
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it("serves photos as bytes for users who have one and ImageNotFound otherwise", async () => {
    const photo = await graph(sim, token, `/users/${DEMO_ORDINARY_USER_ID}/photo/$value`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/png");
    expect((photo.body as Buffer).subarray(1, 4).toString()).toBe("PNG");
    const again = await graph(sim, token, `/users/${DEMO_ORDINARY_USER_ID}/photo/$value`);
    expect(Buffer.compare(photo.body, again.body)).toBe(0);
    const meta = await graph(sim, token, `/users/${DEMO_ORDINARY_USER_ID}/photo`);
    expect(meta.body).toMatchObject({ "@odata.mediaContentType": "image/png", height: 48, width: 48 });
    const room = await graph(sim, token, "/users/6e7b768e-07e2-4810-8459-485f84f8f204/photo/$value");
    expect(room.status).toBe(404);
    expect(room.body.error.code).toBe("ImageNotFound");
  });
});

describe("groups and members", () => {
  it("lists groups with Graph's full group property set", async () => {
    const res = await graph(sim, token, "/groups");
    expect(res.body.value.length).toBe(sim.directory.listGroups(DEMO_TENANT_ID).length);
    expect(res.body.value[0]).toHaveProperty("securityIdentifier");
    expect(res.body.value[0]).toHaveProperty("groupTypes");
  });

  it("returns typed direct members and flattened transitive members of nested groups", async () => {
    const direct = await walk(sim, token, `/groups/${groupId("Sales Team")}/members`);
    const types = direct.items.map((m) => m["@odata.type"]);
    expect(types).toContain("#microsoft.graph.group");
    expect(types).toContain("#microsoft.graph.user");
    const transitive = await walk(sim, token, `/groups/${groupId("All Staff")}/transitiveMembers?$top=7`);
    const ids = transitive.items.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const emea = await walk(sim, token, `/groups/${groupId("Sales EMEA")}/members`);
    for (const member of emea.items) expect(ids).toContain(member.id);
    expect(ids).toContain(groupId("Sales EMEA"));
    const usersOnly = await walk(
      sim,
      token,
      `/groups/${groupId("All Staff")}/transitiveMembers/microsoft.graph.user`,
    );
    expect(usersOnly.items.every((m) => m["@odata.type"] === "#microsoft.graph.user")).toBe(true);
    const count = await graph(sim, token, `/groups/${groupId("Sales Team")}/members/$count`, {
      headers: eventual,
    });
    expect(Number(count.body)).toBe(direct.items.length);
    const empty = await graph(sim, token, `/groups/${groupId("Project Phoenix")}/members`);
    expect(empty.body.value).toEqual([]);

    // A member of Sales EMEA belongs directly to it, and through nesting to every group holding it.
    const member = emea.items.find((m) => m["@odata.type"] === "#microsoft.graph.user")?.id;
    const directOf = (await walk(sim, token, `/users/${member}/memberOf`)).items.map((g) => g.id);
    const allOf = (await walk(sim, token, `/users/${member}/transitiveMemberOf`)).items.map((g) => g.id);
    expect(directOf).toContain(groupId("Sales EMEA"));
    expect(directOf).not.toContain(groupId("Sales Team"));
    expect(allOf).toEqual(
      expect.arrayContaining([groupId("Sales EMEA"), groupId("Sales Team"), groupId("All Staff")]),
    );
    expect(new Set(allOf).size).toBe(allOf.length);
  });

  it("serves administrative unit members and role assignments", async () => {
    const aus = await graph(sim, token, "/directory/administrativeUnits");
    const au = aus.body.value[0];
    const members = await walk(sim, token, `/directory/administrativeUnits/${au.id}/members`);
    expect(members.items.length).toBeGreaterThan(5);
    const roles = await graph(
      sim,
      token,
      "/roleManagement/directory/roleAssignments?$filter=principalId eq '5bde3e51-d13b-4db1-9948-fe4b109d11a7'",
    );
    expect(roles.body.value).toEqual([
      expect.objectContaining({
        roleDefinitionId: "62e90394-69f5-4237-9190-012177145e10",
        directoryScopeId: "/",
      }),
    ]);
    const byRole = await graph(
      sim,
      token,
      "/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq 'fe930be7-5e62-47db-91af-98c3a49a38b1'",
    );
    expect(byRole.body.value).toHaveLength(1);
  });
});

describe("auth and isolation", () => {
  it("answers 401 InvalidAuthenticationToken without a valid token", async () => {
    const none = await fetch(`${sim.url}/v1.0/users`);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe("InvalidAuthenticationToken");
    const wrongAudience = await sim.directory.issueUserToken({
      tenantId: DEMO_TENANT_ID,
      userId: DEMO_ORDINARY_USER_ID,
    });
    expect((await graph(sim, wrongAudience, "/users")).status).toBe(401);
  });

  it("answers 403 once a permission is revoked", async () => {
    sim.directory.revokeConsent(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, ["GroupMember.Read.All"]);
    const limited = await appToken(sim);
    const res = await graph(sim, limited, "/users");
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: "Authorization_RequestDenied",
      message: "Insufficient privileges to complete the operation.",
    });
    expect((await graph(sim, limited, "/groups")).status).toBe(200);
    sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, [
      "User.Read.All",
      "Group.Read.All",
      "ProfilePhoto.Read.All",
      "RoleManagement.Read.Directory",
      "AdministrativeUnit.Read.All",
    ]);
  });

  it("keeps tenants apart: a token for one tenant only sees that tenant", async () => {
    sim.directory.grantAppPermissions(OTHER_TENANT_ID, DEMO_CUSTOMER_APP.clientId, ["User.Read.All"]);
    // The demo customer app is single-tenant, so it is unknown in the other tenant until it has a grant there.
    const other = await appToken(sim, OTHER_TENANT_ID);
    const { items } = await walk(sim, other, "/users?$top=999");
    expect(items).toHaveLength(sim.directory.listUsers(OTHER_TENANT_ID).length);
    expect(items.map((u) => u.id)).not.toContain(DEMO_ORDINARY_USER_ID);
    expect((await graph(sim, other, `/users/${DEMO_ORDINARY_USER_ID}`)).status).toBe(404);
  });
});

describe("$batch", () => {
  it("runs 20 parts each with its own status and rejects 21", async () => {
    const requests = Array.from({ length: 20 }, (_, i) => ({
      id: String(i + 1),
      method: "GET",
      url:
        i === 19
          ? "/users/00000000-0000-0000-0000-000000000000"
          : `/groups/${groupId("Sales Team")}/members?$select=id`,
    }));
    const res = await graph(sim, token, "/$batch", { method: "POST", body: { requests } });
    expect(res.status).toBe(200);
    expect(res.body.responses).toHaveLength(20);
    expect(res.body.responses.filter((r: { status: number }) => r.status === 200)).toHaveLength(19);
    expect(res.body.responses.find((r: { id: string }) => r.id === "20").status).toBe(404);
    const tooMany = await graph(sim, token, "/$batch", {
      method: "POST",
      body: { requests: [...requests, { id: "21", method: "GET", url: "/users" }] },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe("BadRequest");
  });

  it("gives a throttled part its own Retry-After", async () => {
    sim.directory.injectFault({
      pathPattern: "^/v1.0/users/",
      status: 429,
      code: "TooManyRequests",
      retryAfterSeconds: 7,
      times: 1,
    });
    const res = await graph(sim, token, "/$batch", {
      method: "POST",
      body: {
        requests: [
          { id: "a", method: "GET", url: "/groups?$top=1" },
          { id: "b", method: "GET", url: `/users/${DEMO_ORDINARY_USER_ID}` },
        ],
      },
    });
    const b = res.body.responses.find((r: { id: string }) => r.id === "b");
    expect(b.status).toBe(429);
    expect(b.headers["retry-after"]).toBe("7");
    expect(res.body.responses.find((r: { id: string }) => r.id === "a").status).toBe(200);
  });
});

describe("faults", () => {
  it("fails exactly the 3rd page of a listing", async () => {
    sim.directory.injectFault({
      method: "GET",
      pathPattern: "^/v1.0/users\\?",
      status: 503,
      code: "serviceNotAvailable",
      times: 1,
      after: 2,
    });
    await expect(walk(sim, token, "/users?$top=5")).rejects.toThrow(/503/);
    const { items } = await walk(sim, token, "/users?$top=5");
    expect(items).toHaveLength(sim.directory.listUsers(DEMO_TENANT_ID).length);
    sim.directory.clearFaults();
  });
});

describe("Microsoft Graph JS client", () => {
  it("attaches the token to the simulator host when customHosts names it", async () => {
    const client = Client.init({
      authProvider: (done) => done(null, token),
      baseUrl: `${sim.url}/`,
      customHosts: new Set([new URL(sim.url).hostname]),
    });
    const res = await client.api("/users").top(3).select("id,displayName").get();
    expect(res.value).toHaveLength(3);
    expect(res["@odata.nextLink"]).toContain(`${sim.url}/v1.0/users?`);
  });
});
