import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionDoc } from "../../api/store/documents.ts";
import { DEMO_CUSTOMER_APP, DEMO_ORDINARY_USER_ID, DEMO_TENANT_ID } from "../../sim/index.ts";
import { ADMIN_ROLE } from "../support/api-client.ts";
import { type AuthStack, signInAtAuthority, startAuthStack } from "./support.ts";

/**
 * The consent callback is a URL anyone holding a valid `state` can type: `admin_consent=True`, `tenant` and
 * `scope` are the browser's word. Consent counts only as far as what Entra ID issues proves it.
 */
describe("the consent callback believes Entra ID's tokens, not its query string", () => {
  let s: AuthStack;
  let admin: string;
  beforeAll(async () => {
    s = await startAuthStack();
    admin = await s.token();
  });
  afterAll(() => s?.close());

  const connection = async (id: string) =>
    (await s.store.connections.get(DEMO_TENANT_ID, id)) as ConnectionDoc;
  const auditActions = async (id: string) =>
    (await s.api(`/api/audit?targetId=${id}`, { token: admin })).body.items.map(
      (a: { action: string }) => a.action,
    ) as string[];

  /** Starts consent as `token`'s user and answers the callback URL forged from the state in Entra's URL. */
  const forgedCallback = async (
    id: string,
    token: string,
    scope = "https://graph.microsoft.com/Anything.I.Say",
  ) => {
    const started = await s.api(`/api/connections/${id}/consent`, { token, method: "POST" });
    expect(started.status, started.text).toBe(200);
    const state = new URL(started.body.url).searchParams.get("state") as string;
    const query = new URLSearchParams({ admin_consent: "True", tenant: DEMO_TENANT_ID, scope, state });
    return `${s.url}/auth/consent/callback?${query}`;
  };
  const appConnection = async () => {
    const created = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: {
        name: `App ${Math.random().toString(36).slice(2, 8)}`,
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
        allowConcurrent: true,
      },
    });
    expect(created.status, created.text).toBe(201);
    return created.body.id as string;
  };

  it("an app connection records the permissions in the app's token, not the redirect's scope list", async () => {
    const id = await appConnection();
    const res = await fetch(await forgedCallback(id, admin), { headers: { accept: "application/json" } });
    expect(res.status, await res.clone().text()).toBe(200);
    const permissions = (await connection(id)).consent?.permissions ?? [];
    expect(permissions).not.toContain("Anything.I.Say");
    expect(permissions).toContain("User.Read.All");
  });

  it("a needs-reauth app connection is not recovered by a forged admin_consent=True while its secret is dead", async () => {
    const id = await appConnection();
    s.sim.directory.expireSecret(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    try {
      s.auth.credentials.forget({ tenantId: DEMO_TENANT_ID, id });
      const test = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
      expect(test.body.ok).toBe(false);
      expect((await connection(id)).status).toBe("needs-reauth");

      const res = await fetch(await forgedCallback(id, admin), { headers: { accept: "application/json" } });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ code: "consent-unproven" });
      const after = await connection(id);
      expect(after.status).toBe("needs-reauth");
      expect(after.consent?.permissions ?? []).not.toContain("Anything.I.Say");
      expect(await auditActions(id)).not.toContain("connection.recovered");
    } finally {
      s.sim.directory.setSecret(
        DEMO_TENANT_ID,
        DEMO_CUSTOMER_APP.clientId,
        DEMO_CUSTOMER_APP.clientSecret,
        Date.now() + 365 * 86_400_000,
      );
    }
  });

  it("a user with only the app role cannot attach her own refresh token after Entra refused her consent", async () => {
    const userToken = await s.token({ userId: DEMO_ORDINARY_USER_ID, roles: [ADMIN_ROLE] });
    const created = await s.api("/api/connections", {
      token: userToken,
      method: "POST",
      json: { name: "Delegated by a non-admin", kind: "graph-delegated" },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;

    // Entra's admin-consent page refuses her (AADSTS90094)...
    const started = await s.api(`/api/connections/${id}/consent`, { token: userToken, method: "POST" });
    const refused = new URL(await signInAtAuthority(started.body.url, DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID));
    expect(refused.searchParams.get("error")).toBe("access_denied");
    expect(refused.searchParams.get("error_description")).toContain("AADSTS90094");

    // ...so she types the success redirect herself and signs in (the tenant consented to the product before).
    const toSignIn = await fetch(await forgedCallback(id, userToken), { redirect: "manual" });
    expect(toSignIn.status).toBe(302);
    const back = await signInAtAuthority(
      toSignIn.headers.get("location") as string,
      DEMO_TENANT_ID,
      DEMO_ORDINARY_USER_ID,
    );
    const res = await fetch(back, { headers: { accept: "application/json" } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).error).toMatchObject({ code: "not-an-admin" });
    expect(text).not.toMatch(/eyJ|code=|\bat \S+ \(/);
    const c = await connection(id);
    expect(c.secret).toBeUndefined();
    expect(c.consent).toBeUndefined();
    expect(c.status).not.toBe("active");
  });
});
