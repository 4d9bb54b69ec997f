import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RECHECK_MINUTES } from "../../api/auth/sessions.ts";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_TENANT_ID,
  DEMO_USER_ADMIN_USER_ID,
  ROLE_TEMPLATES,
} from "../../sim/index.ts";
import { type AuthStack, signInAtAuthority, startAuthStack } from "./support.ts";

const cookiesFrom = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((c) => c.split(";")[0] as string)
    .filter((c) => !c.endsWith("="))
    .join("; ");

/** Standalone browser sign-in as `userId`, as a browser does it: answers the session cookie and CSRF token. */
async function signIn(s: AuthStack, userId: string): Promise<{ cookie: string; csrf: string }> {
  const login = await fetch(`${s.url}/auth/login`, { redirect: "manual" });
  const back = await signInAtAuthority(login.headers.get("location") as string, DEMO_TENANT_ID, userId);
  const callback = await fetch(back, { redirect: "manual", headers: { cookie: cookiesFrom(login.headers) } });
  expect(callback.status).toBe(302);
  const cookie = cookiesFrom(callback.headers);
  const me = await s.api("/api/me", { headers: { cookie } });
  expect(me.status, me.text).toBe(200);
  return { cookie, csrf: me.body.csrfToken };
}

const createConnection = (s: AuthStack, session: { cookie: string; csrf: string }) =>
  s.api("/api/connections", {
    method: "POST",
    headers: { cookie: session.cookie, "x-csrf-token": session.csrf },
    json: { name: `From browser ${Math.random().toString(36).slice(2, 8)}`, kind: "graph-delegated" },
  });

describe("standalone sessions end when Entra ID or the person says so", () => {
  let s: AuthStack;
  // The API's clock, moved on to let a session's rights grow old.
  let later = 0;
  beforeAll(async () => {
    s = await startAuthStack({ env: { AUTH_LOGIN_TENANT: DEMO_TENANT_ID }, now: () => Date.now() + later });
  });
  afterAll(() => s?.close());

  it("a cookie replayed after sign-out is refused: logout ends the session on the server", async () => {
    const session = await signIn(s, DEMO_ADMIN_USER_ID);
    const out = await fetch(`${s.url}/auth/logout`, { method: "POST", headers: { cookie: session.cookie } });
    expect(out.status).toBe(204);
    const replayed = await s.api("/api/me", { headers: { cookie: session.cookie } });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe("session-ended");
    expect((await createConnection(s, session)).status).toBe(401);
  });

  it("admin rights removed in Entra ID are gone at the next state-changing request", async () => {
    const session = await signIn(s, DEMO_USER_ADMIN_USER_ID);
    expect((await s.api("/api/me", { headers: { cookie: session.cookie } })).body.isAdmin).toBe(true);
    s.sim.directory.removeRole(DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID, ROLE_TEMPLATES.userAdministrator);
    try {
      const write = await createConnection(s, session);
      expect(write.status, write.text).toBe(403);
      expect(write.body.error.code).toBe("admin-required");
      expect((await s.api("/api/me", { headers: { cookie: session.cookie } })).body.isAdmin).toBe(false);
    } finally {
      s.sim.directory.assignRole(DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID, ROLE_TEMPLATES.userAdministrator);
    }
  });

  it("reading re-checks admin rights once they are older than RECHECK_MINUTES", async () => {
    const session = await signIn(s, DEMO_USER_ADMIN_USER_ID);
    s.sim.directory.removeRole(DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID, ROLE_TEMPLATES.userAdministrator);
    try {
      // Within the interval a read answers from the session's last check...
      expect((await s.api("/api/me", { headers: { cookie: session.cookie } })).body.isAdmin).toBe(true);
      later += RECHECK_MINUTES * 60_000;
      // ...after it, from a new token.
      const me = await s.api("/api/me", { headers: { cookie: session.cookie } });
      expect(me.status, me.text).toBe(200);
      expect(me.body.isAdmin).toBe(false);
    } finally {
      s.sim.directory.assignRole(DEMO_TENANT_ID, DEMO_USER_ADMIN_USER_ID, ROLE_TEMPLATES.userAdministrator);
    }
  });

  it("a disabled account loses its session at the next check", async () => {
    const session = await signIn(s, DEMO_ADMIN_USER_ID);
    s.sim.directory.disableUser(DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
    try {
      const write = await createConnection(s, session);
      expect(write.status, write.text).toBe(401);
      expect(write.body.error.code).toBe("session-ended");
      expect((await s.api("/api/me", { headers: { cookie: session.cookie } })).status).toBe(401);
    } finally {
      s.sim.directory.enableUser(DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
    }
  });
});
