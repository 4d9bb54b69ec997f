import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionDoc, ProfileDoc } from "../../api/store/documents.ts";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_CUSTOMER_APP,
  DEMO_TENANT_ID,
  DEMO_USER_ADMIN_USER_ID,
  ROLE_TEMPLATES,
} from "../../sim/index.ts";
import { type AuthStack, signInAtAuthority, startAuthStack } from "../auth/support.ts";

const profile = (connectionId: string, n: number): ProfileDoc => ({
  id: `p-${connectionId}-${n}`,
  tenantId: DEMO_TENANT_ID,
  type: "profile",
  connectionId,
  sourceId: `u${n}`,
  source: "entra",
  status: "active",
  fields: { email: `u${n}@example.com` },
  attributes: {},
  displayName: `Person ${n}`,
  hash: "h",
  lastTaskId: "t0",
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
});

/** Tokens are cached for their lifetime as in production; a scenario that breaks a credential skips ahead. */
const expireCachedTokens = (s: AuthStack, id: string) =>
  s.auth.credentials.forget({ tenantId: DEMO_TENANT_ID, id });

describe("reauthorization scenarios against the simulated tenant", () => {
  let s: AuthStack;

  /** The connection's current ETag, which every change must send back as If-Match. */
  const etagOf = async (connectionId: string, token: string) =>
    (await s.api(`/api/connections/${connectionId}`, { token })).headers.get("etag") ?? "";
  let admin: string;
  beforeAll(async () => {
    s = await startAuthStack();
    admin = await s.token();
  });
  afterAll(() => s?.close());

  const connection = async (id: string) =>
    (await s.store.connections.get(DEMO_TENANT_ID, id)) as ConnectionDoc;
  const profilesOf = (id: string) =>
    s.store.profiles.count(DEMO_TENANT_ID, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: id }],
    });
  const eventsFor = (id: string, kind: string) =>
    s.events.filter((e) => e.connectionId === id && e.kind === kind);

  describe("app connection: the client secret expires", () => {
    let id: string;
    it("ends in needs-reauth with the exact cause, one event, and no data lost", async () => {
      const created = await s.api("/api/connections", {
        token: admin,
        method: "POST",
        json: {
          name: "App",
          kind: "graph-app",
          clientId: DEMO_CUSTOMER_APP.clientId,
          clientSecret: DEMO_CUSTOMER_APP.clientSecret,
          allowConcurrent: true,
        },
      });
      id = created.body.id;
      await s.store.profiles.bulkUpsert([profile(id, 1), profile(id, 2)]);
      expect((await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" })).body.ok).toBe(
        true,
      );

      s.sim.directory.expireSecret(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
      expireCachedTokens(s, id);
      const test = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
      expect(test.body.ok).toBe(false);
      expect(test.body.error).toMatchObject({ code: "secret-expired", kind: "auth-lost" });

      const c = await connection(id);
      expect(c.status).toBe("needs-reauth");
      expect(c.statusProblem).toMatchObject({
        code: "secret-expired",
        remedy: expect.stringContaining("new client secret"),
      });
      expect(c.statusProblem?.message).toContain("has expired");
      const events = eventsFor(id, "needs-reauth");
      expect(events).toHaveLength(1);
      expect(events[0]?.problem?.code).toBe("secret-expired");
      expect(events[0]?.summary).toContain("Who can fix it: an admin who owns the app registration");

      // A second failure of the same cause raises no second event; the sync engine sees a DirectoryProblem.
      await expect(s.auth.credentials.tokenFor(c)).rejects.toMatchObject({
        kind: "auth-lost",
        reason: "secret-expired",
      });
      expect(eventsFor(id, "needs-reauth")).toHaveLength(1);
      expect(await profilesOf(id)).toBe(2);
    });

    it("a wrong new secret is named as such; the right one reauthorizes without losing settings", async () => {
      const before = await connection(id);
      const wrong = await s.api(`/api/connections/${id}`, {
        token: admin,
        method: "PATCH",
        json: { clientSecret: "not-the-secret-value" },
        headers: { "if-match": await etagOf(id, admin) },
      });
      expect(wrong.body.status).toBe("needs-reauth");
      expect(wrong.body.statusProblem.code).toBe("secret-invalid");

      s.sim.directory.setSecret(
        DEMO_TENANT_ID,
        DEMO_CUSTOMER_APP.clientId,
        "rotated-secret-value-1",
        Date.now() + 86_400_000,
      );
      const fixed = await s.api(`/api/connections/${id}`, {
        token: admin,
        method: "PATCH",
        json: { clientSecret: "rotated-secret-value-1" },
        headers: { "if-match": await etagOf(id, admin) },
      });
      expect(fixed.body.status).toBe("active");
      expect(fixed.body.statusProblem).toBeUndefined();
      expect(fixed.body.settings).toEqual(before.settings);
      expect(fixed.body.schedule).toEqual(before.schedule);
      expect(fixed.body.createdAt).toBe(before.createdAt);
      expect((await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" })).body.ok).toBe(
        true,
      );
      const users = await s.auth.credentials
        .graphFor(await connection(id))
        .get<{ value: unknown[] }>("/users?$top=5&$select=id");
      expect(users.value.length).toBeGreaterThan(0);
      expect(await profilesOf(id)).toBe(2);
    });
  });

  describe("delegated connection: the consenting admin is disabled, then loses their role", () => {
    let id: string;

    /**
     * Admin consent, then the admin's own sign-in (code + PKCE), both through the simulator's pages. The admin
     * starts it from the tab themselves: the sign-in must be the account that started the flow.
     */
    const authorize = async (userId: string, client: "api" | "browser" = "api") => {
      const started = await s.api(`/api/connections/${id}/consent`, {
        token: await s.token({ userId }),
        method: "POST",
      });
      const afterConsent = await signInAtAuthority(started.body.url, DEMO_TENANT_ID, userId);
      const toSignIn = await fetch(afterConsent, { redirect: "manual" });
      expect(toSignIn.status).toBe(302);
      const authorizeUrl = toSignIn.headers.get("location") as string;
      expect(new URL(authorizeUrl).searchParams.get("code_challenge_method")).toBe("S256");
      const withCode = await signInAtAuthority(authorizeUrl, DEMO_TENANT_ID, userId);
      if (client === "browser") {
        // The consent window ends on the tab's consent-done page, which reports to the tab that opened it.
        const done = await fetch(withCode, { redirect: "manual", headers: { accept: "text/html" } });
        expect(done.status).toBe(302);
        expect(done.headers.get("location")).toBe(`${s.url}/index.html#/consent-done?ok=1`);
        return;
      }
      const done = await fetch(withCode, { headers: { accept: "application/json" } });
      expect(done.status).toBe(200);
    };

    it("is authorized by an admin's consent and sign-in, keeping that admin's refresh token sealed", async () => {
      const created = await s.api("/api/connections", {
        token: admin,
        method: "POST",
        json: {
          name: "Delegated",
          kind: "graph-delegated",
          allowConcurrent: true,
          settings: { photos: true },
        },
      });
      id = created.body.id;
      expect(created.body.status).toBe("needs-reauth");
      expect(created.body.statusProblem.code).toBe("authorization-pending");
      expect(eventsFor(id, "needs-reauth")).toHaveLength(0);
      await authorize(DEMO_ADMIN_USER_ID);

      const c = await connection(id);
      expect(c.status).toBe("active");
      expect(c.consent).toMatchObject({
        adminObjectId: DEMO_ADMIN_USER_ID,
        adminUpn: expect.stringContaining("@"),
      });
      expect(c.secret).toBeDefined();
      const test = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
      expect(
        test.body.checks.map((x: { permission: string; status: string }) => `${x.permission}:${x.status}`),
      ).toEqual([
        "credentials:granted",
        "User.Read.All:granted",
        "GroupMember.Read.All:granted",
        "ProfilePhoto.Read.All:granted",
        "RoleManagement.Read.Directory:granted",
      ]);
      await s.store.profiles.bulkUpsert([profile(id, 1), profile(id, 2), profile(id, 3)]);
      expect(await s.auth.adminCheck.check(c)).toBeUndefined();
    });

    it("disabling the consenting admin breaks the refresh token: needs-reauth (admin-disabled), event, no data lost", async () => {
      s.sim.directory.disableUser(DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
      expireCachedTokens(s, id);
      const test = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
      expect(test.body.error).toMatchObject({ code: "admin-disabled", kind: "auth-lost" });
      const c = await connection(id);
      expect(c.status).toBe("needs-reauth");
      expect(c.statusProblem?.code).toBe("admin-disabled");
      const events = eventsFor(id, "needs-reauth");
      expect(events).toHaveLength(1);
      expect(events[0]?.summary).toMatch(/account of .+ is disabled/);
      expect(events[0]?.summary).toContain("Global Administrator or Privileged Role Administrator");
      expect(await profilesOf(id)).toBe(3);
    });

    it("another admin reauthorizes: active again, same settings, the next read succeeds", async () => {
      const before = await connection(id);
      s.sim.directory.assignRole(DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID, ROLE_TEMPLATES.globalAdministrator);
      await authorize(DEMO_USER_ADMIN_USER_ID);
      const c = await connection(id);
      expect(c.status).toBe("active");
      expect(c.statusProblem).toBeUndefined();
      expect(c.consent?.adminObjectId).toBe(DEMO_USER_ADMIN_USER_ID);
      expect(c.reauthorizedAt).toBeDefined();
      expect(c.settings).toEqual(before.settings);
      expect(c.createdAt).toBe(before.createdAt);
      expect((await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" })).body.ok).toBe(
        true,
      );
      const audit = await s.api(`/api/audit?targetId=${id}`, { token: admin });
      expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(
        expect.arrayContaining([
          "connection.reauthorized",
          "connection.needs-reauth",
          "connection.consented",
        ]),
      );
    });

    it("removing the new admin's roles raises an early warning while the token still works", async () => {
      s.sim.directory.removeRole(DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID, ROLE_TEMPLATES.globalAdministrator);
      s.sim.directory.removeRole(DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID, ROLE_TEMPLATES.userAdministrator);
      const warning = await s.auth.adminCheck.check(await connection(id));
      expect(warning?.code).toBe("admin-role-removed");
      const c = await connection(id);
      expect(c.status).toBe("active");
      expect(c.warning).toMatchObject({
        code: "admin-role-removed",
        remedy: expect.stringContaining("Another admin"),
      });
      const events = eventsFor(id, "admin-warning");
      expect(events).toHaveLength(1);
      expect(events[0]?.problem?.message).toContain("no longer holds an admin directory role");
      // The same finding again is not news.
      await s.auth.adminCheck.check(await connection(id));
      expect(eventsFor(id, "admin-warning")).toHaveLength(1);
      expect(await profilesOf(id)).toBe(3);
      expect((await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" })).body.ok).toBe(
        true,
      );
    });

    it("revoked refresh tokens (password reset) and revoked consent are told apart", async () => {
      s.sim.directory.revokeRefreshTokens(DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID);
      expireCachedTokens(s, id);
      const revoked = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
      expect(revoked.body.error.code).toBe("token-revoked");

      s.sim.directory.enableUser(DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
      await authorize(DEMO_ADMIN_USER_ID, "browser");
      expect((await connection(id)).status).toBe("active");
      s.sim.directory.revokeConsent(DEMO_TENANT_ID, "6a3b8f2e-1d4c-4e7a-9b05-c8e2d1f4a763");
      expireCachedTokens(s, id);
      const consent = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
      expect(consent.body.error).toMatchObject({ code: "consent-required", cause: "consent-required" });
      expect(consent.body.error.consentUrl).toContain("/v2.0/adminconsent?");
      expect((await connection(id)).statusProblem?.code).toBe("consent-required");
      const listed = await s.api(`/api/events?connectionId=${id}&kind=needs-reauth`, { token: admin });
      expect(listed.body.items.map((e: { problem: { code: string } }) => e.problem.code)).toEqual([
        "consent-required",
        "token-revoked",
        "admin-disabled",
      ]);
      expect(eventsFor(id, "needs-reauth").map((e) => e.problem?.code)).toEqual([
        "admin-disabled",
        "token-revoked",
        "consent-required",
      ]);
    });
  });
});
