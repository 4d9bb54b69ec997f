import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ConnectionDoc } from "../../api/store/documents.ts";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_TENANT_DOMAIN,
  DEMO_TENANT_ID,
  DEMO_USER_ADMIN_USER_ID,
} from "../../sim/index.ts";
import { type AuthStack, signInAtAuthority, startAuthStack } from "./support.ts";

const MOD_UPN = `admin@${DEMO_TENANT_DOMAIN}`;
const MEGAN_UPN = `MeganB@${DEMO_TENANT_DOMAIN}`;

describe("delegated connection sign-in: the account that signs in is the admin who started the flow", () => {
  let s: AuthStack;
  let id: string;
  beforeAll(async () => {
    s = await startAuthStack();
  });
  afterAll(() => s?.close());

  beforeEach(async () => {
    const created = await s.api("/api/connections", {
      token: await s.token(),
      method: "POST",
      json: { name: `Delegated ${Math.random().toString(36).slice(2, 8)}`, kind: "graph-delegated" },
    });
    expect(created.status, created.text).toBe(201);
    id = created.body.id;
  });

  const connection = async () => (await s.store.connections.get(DEMO_TENANT_ID, id)) as ConnectionDoc;

  /** Started from the tab by `startedBy`; admin consent given by `consentBy`; answers the sign-in step's URL. */
  const toSignIn = async (startedBy: string, consentBy = startedBy) => {
    const started = await s.api(`/api/connections/${id}/consent`, {
      token: await s.token({ userId: startedBy }),
      method: "POST",
    });
    expect(started.status, started.text).toBe(200);
    const afterConsent = await signInAtAuthority(started.body.url, DEMO_TENANT_ID, consentBy);
    const redirect = await fetch(afterConsent, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    return redirect.headers.get("location") as string;
  };

  it("another account signing in is refused with cause and remedy, and nothing of it is kept", async () => {
    const signIn = await toSignIn(DEMO_ADMIN_USER_ID);
    const back = await signInAtAuthority(signIn, DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID);
    const res = await fetch(back, { headers: { accept: "application/json" } });
    expect(res.status).toBe(400);
    const text = await res.text();
    const { error } = JSON.parse(text);
    expect(error.code).toBe("wrong-account");
    expect(error.message).toBe(
      `Signed in as ${MEGAN_UPN}, a different account than the one that started authorizing this connection (${MOD_UPN})`,
    );
    expect(error.remedy).toMatch(new RegExp(`^Sign in with ${MOD_UPN};`));
    expect(error.remedy).toContain(`signed in to Directory Sync as ${MEGAN_UPN}`);
    // No token, code or stack in the answer.
    expect(text).not.toMatch(/eyJ|code=|\bat \S+ \(/);

    const c = await connection();
    expect(c.secret).toBeUndefined();
    expect(c.consent).toBeUndefined();
    expect(c.status).toBe("needs-reauth");
    const audit = await s.api(`/api/audit?targetId=${id}`, { token: await s.token() });
    expect(audit.body.items.map((a: { action: string }) => a.action)).not.toContain("connection.consented");

    // The flow is still the starter's: signing in with the right account on the same page completes it.
    const right = await signInAtAuthority(signIn, DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
    const done = await fetch(right, { headers: { accept: "application/json" } });
    expect(done.status, await done.clone().text()).toBe(200);
    expect(await connection()).toMatchObject({
      status: "active",
      consent: { adminObjectId: DEMO_ADMIN_USER_ID, adminUpn: MOD_UPN },
    });
  });

  it("a browser ends on the tab's consent-done page with the wrong-account code", async () => {
    const signIn = await toSignIn(DEMO_ADMIN_USER_ID);
    const back = await signInAtAuthority(signIn, DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID);
    const res = await fetch(back, { redirect: "manual", headers: { accept: "text/html" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${s.url}/index.html#/consent-done?ok=0&error=wrong-account`);
    expect((await connection()).secret).toBeUndefined();
  });

  it("the admin who started it may sign in after another admin gave the tenant-wide consent", async () => {
    // Admin consent needs a Global or Privileged Role Administrator; the connection's account is the starter's.
    const signIn = await toSignIn(DEMO_USER_ADMIN_USER_ID, DEMO_ADMIN_USER_ID);
    const back = await signInAtAuthority(signIn, DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID);
    const done = await fetch(back, { headers: { accept: "application/json" } });
    expect(done.status, await done.clone().text()).toBe(200);
    expect((await connection()).consent?.adminObjectId).toBe(DEMO_USER_ADMIN_USER_ID);
  });
});
