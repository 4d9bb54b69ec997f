import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionDoc } from "../../api/store/documents.ts";
import {
  DEMO_CUSTOMER_APP,
  DEMO_TENANT_ID,
  demoTenant,
  OTHER_TENANT_ID,
  otherTenant,
} from "../../sim/index.ts";
import { type AuthStack, signInAtAuthority, startAuthStack } from "../auth/support.ts";
import { withholdAppPermission } from "../support/sim.ts";

const appConnection = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  kind: "graph-app",
  clientId: DEMO_CUSTOMER_APP.clientId,
  clientSecret: DEMO_CUSTOMER_APP.clientSecret,
  ...extra,
});

describe("connections over HTTP", () => {
  let s: AuthStack;

  /** The connection's current ETag, which every change must send back as If-Match. */
  const etagOf = async (connectionId: string, token: string) =>
    (await s.api(`/api/connections/${connectionId}`, { token })).headers.get("etag") ?? "";
  let admin: string;
  let otherAdmin: string;
  let id: string;
  beforeAll(async () => {
    s = await startAuthStack({ sim: { tenants: [demoTenant(), otherTenant()] } });
    admin = await s.token();
    otherAdmin = await s.token({
      tenantId: OTHER_TENANT_ID,
      userId: s.sim.directory.listUsers(OTHER_TENANT_ID)[0]?.id as string,
    });
  });
  afterAll(() => s?.close());

  it("creates a graph-app connection and never returns or stores the secret in clear", async () => {
    const res = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: appConnection("Contoso"),
    });
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(res.body).toMatchObject({
      name: "Contoso",
      kind: "graph-app",
      status: "active",
      hasSecret: true,
      secretHint: "…cret",
    });
    // Created without settings, as the tab's wizard does: every nested default is filled in and stored.
    expect(res.body.settings).toMatchObject({
      what: "users-and-lists",
      users: { scope: "all", groupIds: [], guests: "exclude" },
      lists: { scope: "all", namePrefix: "" },
      deletionGuard: { enabled: true, maxCount: 50, maxPercent: 10 },
      email: { proxyAddresses: true, otherMails: true },
    });
    expect(res.body.schedule).toMatchObject({ enabled: true, intervalMinutes: 60 });
    expect(JSON.stringify(res.body)).not.toContain(DEMO_CUSTOMER_APP.clientSecret);
    expect(res.body.secret).toBeUndefined();
    const raw = (await s.store.connections.get(DEMO_TENANT_ID, id)) as ConnectionDoc;
    expect(JSON.stringify(raw)).not.toContain(DEMO_CUSTOMER_APP.clientSecret);
    expect(raw.secret?.keyId).toMatch(/^local:/);
    expect(raw.settings.users.scope).toBe("all");
    // A connection stored before a settings field existed is answered with that field's default.
    const { users: _older, ...withoutUsers } = raw.settings;
    await s.store.connections.update(DEMO_TENANT_ID, id, (c) => ({
      ...c,
      settings: withoutUsers as ConnectionDoc["settings"],
    }));
    const older = await s.api(`/api/connections/${id}`, { token: admin });
    expect(older.body.settings.users).toMatchObject({ scope: "all", rules: [] });
    await s.store.connections.update(DEMO_TENANT_ID, id, (c) => ({ ...c, settings: raw.settings }));
    const list = await s.api("/api/connections", { token: admin });
    expect(JSON.stringify(list.body)).not.toContain(DEMO_CUSTOMER_APP.clientSecret);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
  });

  it("validates bodies field by field and rejects unknown fields", async () => {
    const bad = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: { name: "", kind: "graph-app", clientId: "nope", clientSecret: "x", sneaky: true },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(
      expect.arrayContaining(["name", "clientId", "clientSecret"]),
    );
    const unknown = await s.api(`/api/connections/${id}`, {
      token: admin,
      method: "PATCH",
      json: { status: "active" },
      headers: { "if-match": await etagOf(id, admin) },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields.body).toContain("status");
    const settings = await s.api(`/api/connections/${id}`, {
      token: admin,
      method: "PATCH",
      json: { settings: { users: { scope: "groups" } } },
      headers: { "if-match": await etagOf(id, admin) },
    });
    expect(settings.status).toBe(400);
    expect(settings.body.error.fields["settings.users.groupIds"]).toBe("choose at least one group");
  });

  it("tests connectivity: credentials, then each permission by its exact name", async () => {
    await s.api(`/api/connections/${id}`, {
      token: admin,
      method: "PATCH",
      json: { settings: { photos: true } },
      headers: { "if-match": await etagOf(id, admin) },
    });
    const res = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.checks.map((c: { permission: string }) => c.permission)).toEqual([
      "credentials",
      "User.Read.All",
      "GroupMember.Read.All",
      "ProfilePhoto.Read.All",
      "RoleManagement.Read.Directory",
      "Application.Read.All",
    ]);
    expect(res.body.checks.every((c: { status: string }) => c.status === "granted")).toBe(true);
  });

  it("an app without RoleManagement.Read.Directory still passes and syncs; the test says what chat loses", async () => {
    const restore = withholdAppPermission(s.sim, "RoleManagement.Read.Directory");
    s.auth.credentials.forget({ tenantId: DEMO_TENANT_ID, id });
    try {
      const res = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.error).toBeUndefined();
      const missing = res.body.checks.filter((c: { status: string }) => c.status === "missing");
      expect(missing).toEqual([
        {
          permission: "RoleManagement.Read.Directory",
          status: "missing",
          optional: true,
          detail: expect.stringMatching(
            /^Permission RoleManagement\.Read\.Directory is missing: .*grant admin consent; without it the bot cannot check who may run sync commands in chat\. Syncing does not need it\.$/,
          ),
        },
      ]);
      const c = (await s.store.connections.get(DEMO_TENANT_ID, id)) as ConnectionDoc;
      expect(c.status).toBe("active");
      expect(c.statusProblem).toBeUndefined();
      expect(c.lastTest?.ok).toBe(true);
      // What a sync reads still works with this connection.
      const users = await s.auth.credentials
        .graphFor(c)
        .get<{ value: unknown[] }>("/users?$top=2&$select=id");
      expect(users.value).toHaveLength(2);
    } finally {
      restore();
      s.auth.credentials.forget({ tenantId: DEMO_TENANT_ID, id });
    }
  });

  it("names each missing permission when the tenant revoked the app's grants", async () => {
    s.sim.directory.revokeConsent(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    s.auth.credentials.forget({ tenantId: DEMO_TENANT_ID, id });
    const res = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
    expect(res.body.ok).toBe(false);
    const missing = res.body.checks.filter((c: { status: string }) => c.status === "missing");
    expect(missing.map((c: { permission: string }) => c.permission)).toEqual([
      "User.Read.All",
      "GroupMember.Read.All",
      "ProfilePhoto.Read.All",
      "RoleManagement.Read.Directory",
      "Application.Read.All",
    ]);
    expect(missing[0].detail).toContain("User.Read.All");
    expect(missing.map((c: { optional?: boolean }) => c.optional ?? false)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it("lets an admin grant consent again through the admin-consent flow, recording who and when", async () => {
    const started = await s.api(`/api/connections/${id}/consent`, { token: admin, method: "POST" });
    expect(started.status).toBe(200);
    const consentUrl = new URL(started.body.url);
    expect(consentUrl.pathname).toBe(`/${DEMO_TENANT_ID}/v2.0/adminconsent`);
    expect(consentUrl.searchParams.get("client_id")).toBe(DEMO_CUSTOMER_APP.clientId);
    expect(consentUrl.searchParams.get("redirect_uri")).toBe(`${s.url}/auth/consent/callback`);
    const back = await signInAtAuthority(
      started.body.url,
      DEMO_TENANT_ID,
      "5bde3e51-d13b-4db1-9948-fe4b109d11a7",
    );
    expect(back.startsWith(`${s.url}/auth/consent/callback`)).toBe(true);

    // A state for another connection does not fit this one; a replay of the real answer is refused.
    const tampered = new URL(back);
    tampered.searchParams.set("state", `${tampered.searchParams.get("state")}x`);
    const bad = await fetch(tampered, { headers: { accept: "application/json" } });
    expect(bad.status).toBe(400);

    const done = await fetch(back, { headers: { accept: "application/json" } });
    expect(done.status).toBe(200);
    const replay = await fetch(back, { headers: { accept: "application/json" } });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error.code).toBe("state-used");
    // A browser (the consent pop-up) is sent to the tab's consent-done page with the outcome instead.
    const inBrowser = await fetch(back, { redirect: "manual", headers: { accept: "text/html" } });
    expect(inBrowser.status).toBe(302);
    expect(inBrowser.headers.get("location")).toBe(`${s.url}/index.html#/consent-done?ok=0&error=state-used`);
    const forged = await fetch(tampered, { redirect: "manual", headers: { accept: "text/html" } });
    expect(forged.headers.get("location")).toBe(`${s.url}/index.html#/consent-done?ok=0&error=state-invalid`);

    const c = await s.api(`/api/connections/${id}`, { token: admin });
    expect(c.body.consent).toMatchObject({ adminObjectId: "5bde3e51-d13b-4db1-9948-fe4b109d11a7" });
    expect(Date.parse(c.body.consent.consentedAt)).toBeGreaterThan(Date.now() - 60_000);
    s.auth.credentials.forget({ tenantId: DEMO_TENANT_ID, id });
    const test = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
    expect(test.body.ok).toBe(true);
  });

  it("keeps tenants apart: another tenant's admin can neither read, change nor delete", async () => {
    const list = await s.api("/api/connections", { token: otherAdmin });
    expect(list.body.items).toEqual([]);
    expect((await s.api(`/api/connections/${id}`, { token: otherAdmin })).status).toBe(404);
    const patch = await s.api(`/api/connections/${id}`, {
      token: otherAdmin,
      method: "PATCH",
      json: { name: "mine" },
      headers: { "if-match": await etagOf(id, admin) },
    });
    expect(patch.status).toBe(404);
    const del = await s.api(`/api/connections/${id}?confirm=true&data=remove`, {
      token: otherAdmin,
      method: "DELETE",
    });
    expect(del.status).toBe(404);
    expect((await s.api(`/api/connections/${id}/test`, { token: otherAdmin, method: "POST" })).status).toBe(
      404,
    );
    expect(
      (await s.api(`/api/connections/${id}/consent`, { token: otherAdmin, method: "POST" })).status,
    ).toBe(404);
    expect((await s.api(`/api/connections/${id}`, { token: admin })).body.name).toBe("Contoso");
  });

  it("uses ETags for optimistic concurrency", async () => {
    const current = await s.api(`/api/connections/${id}`, { token: admin });
    const etag = current.headers.get("etag") as string;
    const ok = await s.api(`/api/connections/${id}`, {
      token: admin,
      method: "PATCH",
      json: { name: "Contoso HR" },
      headers: { "if-match": etag },
    });
    expect(ok.status).toBe(200);
    const stale = await s.api(`/api/connections/${id}`, {
      token: admin,
      method: "PATCH",
      json: { name: "Stale" },
      headers: { "if-match": etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe("changed-elsewhere");
  });

  it("allows one active connection unless concurrency is allowed", async () => {
    const second = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: appConnection("Second"),
    });
    expect(second.body.status).toBe("inactive");
    const clash = await s.api(`/api/connections/${second.body.id}/reactivate`, {
      token: admin,
      method: "POST",
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({ code: "another-active", connectionId: id });
    expect(
      (await s.api(`/api/connections/${id}/deactivate`, { token: admin, method: "POST" })).body.status,
    ).toBe("inactive");
    expect(
      (await s.api(`/api/connections/${second.body.id}/reactivate`, { token: admin, method: "POST" })).body
        .status,
    ).toBe("active");
    const del = await s.api(`/api/connections/${second.body.id}?confirm=true&data=remove`, {
      token: admin,
      method: "DELETE",
    });
    expect(del.status).toBe(200);
    expect(
      (await s.api(`/api/connections/${id}/reactivate`, { token: admin, method: "POST" })).body.status,
    ).toBe("active");
  });

  it("asks for confirmation before deleting and says what happens to synced data", async () => {
    const res = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: appConnection("Doomed", { allowConcurrent: true }),
    });
    const doomed = res.body.id as string;
    await s.store.profiles.create({
      id: "p-doomed",
      tenantId: DEMO_TENANT_ID,
      type: "profile",
      connectionId: doomed,
      sourceId: "u1",
      source: "entra",
      status: "active",
      fields: {},
      attributes: {},
      displayName: "Kept Person",
      hash: "h",
      lastTaskId: "t",
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    const ask = await s.api(`/api/connections/${doomed}`, { token: admin, method: "DELETE" });
    expect(ask.status).toBe(409);
    expect(ask.body.error).toMatchObject({ code: "confirmation-required", profiles: 1, lists: 0 });
    expect(ask.body.error.remedy).toContain("data=keep");
    const keep = await s.api(`/api/connections/${doomed}?confirm=true&data=keep`, {
      token: admin,
      method: "DELETE",
    });
    expect(keep.body).toMatchObject({ deleted: true, data: "keep" });
    expect(await s.store.profiles.get(DEMO_TENANT_ID, "p-doomed")).toBeDefined();
    expect((await s.api(`/api/connections/${doomed}`, { token: admin })).status).toBe(404);
  });

  it("rotates the secret by PATCH and audits every change with secrets redacted", async () => {
    const rotated = await s.api(`/api/connections/${id}`, {
      token: admin,
      method: "PATCH",
      json: { clientSecret: DEMO_CUSTOMER_APP.clientSecret },
      headers: { "if-match": await etagOf(id, admin) },
    });
    expect(rotated.status).toBe(200);
    const audit = await s.api("/api/audit", { token: admin });
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((a: { action: string }) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "connection.create",
        "connection.update",
        "connection.rotate-secret",
        "connection.consented",
        "connection.delete",
        "connection.deactivate",
      ]),
    );
    const rotation = audit.body.items.find(
      (a: { action: string }) => a.action === "connection.rotate-secret",
    );
    expect(rotation.changes.secret).toEqual({ from: "[redacted]", to: "[redacted]" });
    expect(rotation.actor.oid).toBe("5bde3e51-d13b-4db1-9948-fe4b109d11a7");
    expect(JSON.stringify(audit.body)).not.toContain(DEMO_CUSTOMER_APP.clientSecret);
    expect(JSON.stringify(audit.body)).not.toContain("wrappedKey");
    expect((await s.api("/api/audit", { token: otherAdmin })).body.items).toEqual([]);
  });

  it("defines custom attributes (admin) and lists them (reader)", async () => {
    const created = await s.api("/api/attributes", {
      token: admin,
      method: "POST",
      json: { name: "costCenter", label: "Cost center" },
    });
    expect(created.status).toBe(201);
    const dup = await s.api("/api/attributes", {
      token: admin,
      method: "POST",
      json: { name: "costCenter", label: "Again" },
    });
    expect(dup.status).toBe(409);
    const list = await s.api("/api/attributes", { token: admin });
    expect(list.body.items).toEqual([expect.objectContaining({ name: "costCenter", valueType: "string" })]);
    expect((await s.api("/api/attributes/costCenter", { token: otherAdmin, method: "DELETE" })).status).toBe(
      404,
    );
    expect((await s.api("/api/attributes/costCenter", { token: admin, method: "DELETE" })).status).toBe(204);
  });

  it("searches groups on behalf of the signed-in admin (at least 3 characters)", async () => {
    const short = await s.api("/api/groups/search?q=ab", { token: admin });
    expect(short.status).toBe(400);
    const group = s.sim.directory.listGroups(DEMO_TENANT_ID)[0];
    const q = (group?.displayName ?? "").slice(0, 4);
    const res = await s.api(`/api/groups/search?q=${encodeURIComponent(q)}`, { token: admin });
    expect(res.status).toBe(200);
    const hit = res.body.items.find((g: { id: string }) => g.id === group?.id);
    expect(hit).toMatchObject({ displayName: group?.displayName, groupTypes: expect.any(Array) });
    expect(hit.memberCount).toBe(s.sim.directory.listMembers(DEMO_TENANT_ID, group?.id as string).length);
  });

  it("looks chosen groups up by id, leaving out ids the directory does not have", async () => {
    const [a, b] = s.sim.directory.listGroups(DEMO_TENANT_ID);
    const gone = "00000000-0000-4000-8000-000000000001";
    const res = await s.api(`/api/groups/lookup?ids=${a?.id},${gone},${b?.id}`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.items.map((g: { id: string; displayName: string }) => [g.id, g.displayName])).toEqual([
      [a?.id, a?.displayName],
      [b?.id, b?.displayName],
    ]);
    expect(res.body.items[0].memberCount).toBe(
      s.sim.directory.listMembers(DEMO_TENANT_ID, a?.id as string).length,
    );
    const bad = await s.api("/api/groups/lookup?ids=not-a-guid", { token: admin });
    expect(bad.status).toBe(400);
    expect(
      (
        await s.api(`/api/groups/lookup?ids=${a?.id}`, {
          token: await s.token({ roles: ["DirectorySync.Reader"] }),
        })
      ).status,
    ).toBe(403);
  });
});
