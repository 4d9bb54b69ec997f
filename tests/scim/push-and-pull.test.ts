import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProfileDoc } from "../../api/store/documents.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID as T } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { createScimConnection, type ScimConnection } from "../support/scim.ts";

/**
 * A tenant with a Graph connection (pull) and a SCIM connection (push) switched on together: whichever
 * touches a person first, the person is one profile, never two, and the profile says which connection
 * wrote each field.
 */
describe("pull and push touching the same people", () => {
  let s: FullStack;
  let admin: string;
  let graphId: string;
  let push: ScimConnection;

  const fullSync = async () => {
    const started = await s.api(`/api/connections/${graphId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    expect(started.status, started.text).toBe(202);
    expect((await s.waitForTask(started.body.id)).status).toBe("succeeded");
  };
  const profilesOf = async (sourceId: string) =>
    (await s.running.store.profiles.all(T, {
      where: "c.sourceId = @s",
      parameters: [{ name: "@s", value: sourceId }],
    })) as ProfileDoc[];
  const scimUser = (
    externalId: string,
    userName: string,
    mail: string,
    extra: Record<string, unknown> = {},
  ) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    externalId,
    userName,
    active: true,
    name: { givenName: "Pushed", familyName: "Person" },
    emails: [{ type: "work", primary: true, value: mail }],
    ...extra,
  });
  /** A member of the tenant, as Entra holds them. */
  const addMember = (displayName: string, givenName: string, surname: string, mail: string) =>
    s.sim.directory.addUser(T, {
      displayName,
      givenName,
      surname,
      mail,
      accountEnabled: true,
      userType: "Member",
    });
  /** Entra provisioning pushes the person, with these fields beyond the usual ones. */
  const pushMember = async (person: { id: string; userPrincipalName: string }, mail: string, extra = {}) => {
    const pushed = await push.scim("/Users", {
      method: "POST",
      json: scimUser(person.id, person.userPrincipalName, mail, extra),
    });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);
    return pushed;
  };

  beforeAll(async () => {
    s = await startFullStack();
    admin = await s.adminToken();
    const graph = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: {
        name: "Graph pull",
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
        allowConcurrent: true,
      },
    });
    expect(graph.status, graph.text).toBe(201);
    graphId = graph.body.id;
    push = await createScimConnection(s, admin, { name: "Entra push", allowConcurrent: true });
    expect((await s.api(`/api/connections/${push.id}`, { token: admin })).body.status).toBe("active");
  });
  afterAll(() => s?.close());

  it("pulled first, then pushed: the push links to the profile and fills only the fields pull leaves empty", async () => {
    const person = addMember("Pulled First", "Pulled", "First", "pulled.first@M365x214355.onmicrosoft.com");
    await fullSync();
    const pushed = await pushMember(person, "pulled.first@M365x214355.onmicrosoft.com", {
      title: "Pushed title",
      name: { givenName: "Other", familyName: "Name" },
    });
    expect(pushed.body.id).toBe(person.id);

    const [profile, ...others] = await profilesOf(person.id);
    expect(others).toHaveLength(0);
    expect(profile?.connectionId).toBe(graphId);
    // Pull owns what it supplies (first name), push fills what pull leaves empty (job title).
    expect(profile?.fields).toMatchObject({ firstName: "Pulled", jobTitle: "Pushed title" });
    expect(profile?.fieldOwners).toMatchObject({ firstName: graphId, jobTitle: push.id });

    // The next pull keeps the pushed field and its owner, and still sees nothing to change.
    await fullSync();
    const [again, ...more] = await profilesOf(person.id);
    expect(more).toHaveLength(0);
    expect(again?.fields).toMatchObject({ firstName: "Pulled", jobTitle: "Pushed title" });
    expect(again?.fieldOwners).toMatchObject({ firstName: graphId, jobTitle: push.id });
    expect((await push.scim(`/Users/${person.id}`)).body.title).toBe("Pushed title");
    // The tab reads whose each field is; the push connection's SCIM copy stays inside.
    const shown = await s.api(`/api/profiles/${again?.id}`, { token: admin });
    expect(shown.body.fieldOwners).toMatchObject({ firstName: graphId, jobTitle: push.id });
    expect(shown.body).not.toHaveProperty("scim");
  });

  it("pulled, pushed, then deprovisioned: the profile stays with pull, loses push's fields, and the feed hears it", async () => {
    const person = addMember("Pulled Then Left", "Pulled", "Left", "pulled.left@M365x214355.onmicrosoft.com");
    await fullSync();
    await pushMember(person, "pulled.left@M365x214355.onmicrosoft.com", {
      title: "Pushed title",
    });
    const [linked] = await profilesOf(person.id);
    expect(linked?.fieldOwners).toMatchObject({ jobTitle: push.id });

    expect((await push.scim(`/Users/${person.id}`, { method: "DELETE" })).status).toBe(204);
    const [left, ...others] = await profilesOf(person.id);
    expect(others).toHaveLength(0);
    expect(left).toMatchObject({ connectionId: graphId, status: "active", fields: { firstName: "Pulled" } });
    expect(left?.fields.jobTitle ?? null).toBeNull();
    expect(Object.values(left?.fieldOwners ?? {})).not.toContain(push.id);
    expect(left).not.toHaveProperty("scim");
    // Written through the change feed like every profile change: the profile carries a newer event's number.
    expect(left?.changeSeq ?? 0).toBeGreaterThan(linked?.changeSeq ?? 0);
    expect((await push.scim(`/Users/${person.id}`)).status).toBe(404);
  });

  it("pushed first, then pulled: the pull takes the profile over instead of making a second one", async () => {
    const person = addMember("Pushed First", "Pushed", "First", "pushed.first@M365x214355.onmicrosoft.com");
    await pushMember(person, "pushed.first@M365x214355.onmicrosoft.com", {
      title: "Only push knows",
    });
    const [created] = await profilesOf(person.id);
    expect(created).toMatchObject({ connectionId: push.id, fieldOwners: { jobTitle: push.id } });

    await fullSync();
    const [profile, ...others] = await profilesOf(person.id);
    expect(others).toHaveLength(0);
    // Same profile id, so the applications that hold it see the same person.
    expect(profile?.id).toBe(created?.id);
    expect(profile?.connectionId).toBe(graphId);
    expect(profile?.fields).toMatchObject({
      firstName: "Pushed",
      lastName: "First",
      jobTitle: "Only push knows",
    });
    expect(profile?.fieldOwners).toMatchObject({ firstName: graphId, jobTitle: push.id });
    // The push connection still addresses its resource.
    const read = await push.scim(`/Users/${person.id}`);
    expect(read.status).toBe(200);
    expect(read.body.title).toBe("Only push knows");
  });
});
