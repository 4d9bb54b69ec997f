import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ADMIN_USER_ID, DEMO_ORDINARY_USER_ID, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type AuthStack, signInAtAuthority, startAuthStack } from "./support.ts";

/** The cookie pairs a browser would send back from Set-Cookie headers. */
const cookiesFrom = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((c) => c.split(";")[0] as string)
    .filter((c) => !c.endsWith("="))
    .join("; ");

describe("standalone browser sign-in (authorization code + PKCE) and CSRF", () => {
  let s: AuthStack;
  let session: string;
  beforeAll(async () => {
    s = await startAuthStack({ env: { AUTH_LOGIN_TENANT: DEMO_TENANT_ID } });
  });
  afterAll(() => s?.close());

  it("signs in through the authority and sets an httpOnly SameSite=Lax session cookie", async () => {
    const login = await fetch(`${s.url}/auth/login?returnTo=/connections`, { redirect: "manual" });
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get("location") as string);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("state")).toBeTruthy();
    const loginCookie = cookiesFrom(login.headers);
    expect(login.headers.getSetCookie()[0]).toMatch(/HttpOnly/i);

    const back = await signInAtAuthority(authorize.toString(), DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
    // Without the browser's sign-in cookie the answer is refused: it was not started here.
    expect((await fetch(back, { redirect: "manual" })).status).toBe(400);
    const callback = await fetch(back, { redirect: "manual", headers: { cookie: loginCookie } });
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/connections");
    const setCookie = callback.headers.getSetCookie().find((c) => c.startsWith("eds_session=")) as string;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    session = cookiesFrom(callback.headers);
  });

  it("GET /api/me answers the caller and a CSRF token; writes without the token are refused", async () => {
    const me = await s.api("/api/me", { headers: { cookie: session } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ tenantId: DEMO_TENANT_ID, oid: DEMO_ADMIN_USER_ID, via: "session" });
    expect(me.body.csrfToken).toEqual(expect.any(String));

    const body = { name: "From browser", kind: "graph-delegated" };
    const noToken = await s.api("/api/attributes", {
      method: "POST",
      headers: { cookie: session },
      json: { name: "a1", label: "A" },
    });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe("csrf-failed");
    const wrong = await s.api("/api/connections", {
      method: "POST",
      headers: { cookie: session, "x-csrf-token": "guess" },
      json: body,
    });
    expect(wrong.status).toBe(403);
    // MOD Administrator's token carries the admin app role and Global Administrator in `wids`.
    expect(me.body).toMatchObject({ isAdmin: true, canRead: true });
    const right = await s.api("/api/connections", {
      method: "POST",
      headers: { cookie: session, "x-csrf-token": me.body.csrfToken },
      json: body,
    });
    expect(right.status).toBe(201);
  });

  it("gives a signed-in member without an admin role no admin rights, with the CSRF token right", async () => {
    const login = await fetch(`${s.url}/auth/login`, { redirect: "manual" });
    const authorize = login.headers.get("location") as string;
    const back = await signInAtAuthority(authorize, DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID);
    const callback = await fetch(back, {
      redirect: "manual",
      headers: { cookie: cookiesFrom(login.headers) },
    });
    expect(callback.status).toBe(302);
    const member = cookiesFrom(callback.headers);
    const me = await s.api("/api/me", { headers: { cookie: member } });
    expect(me.body).toMatchObject({ oid: DEMO_ORDINARY_USER_ID, isAdmin: false, canRead: false });
    const write = await s.api("/api/connections", {
      method: "POST",
      headers: { cookie: member, "x-csrf-token": me.body.csrfToken },
      json: { name: "From browser", kind: "graph-delegated" },
    });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe("admin-required");
  });

  it("refuses a tampered session cookie and open redirects after sign-in", async () => {
    // Flip one character inside the encrypted payload (the last character may only carry padding bits).
    const at = Math.floor(session.length / 2);
    const tampered = `${session.slice(0, at)}${session[at] === "A" ? "B" : "A"}${session.slice(at + 1)}`;
    expect((await s.api("/api/me", { headers: { cookie: tampered } })).status).toBe(401);
    const login = await fetch(`${s.url}/auth/login?returnTo=//evil.example`, { redirect: "manual" });
    expect(login.status).toBe(302);
  });

  it("signs out by clearing the cookie", async () => {
    const out = await fetch(`${s.url}/auth/logout`, { method: "POST", headers: { cookie: session } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((c) => c.startsWith("eds_session=;"))).toBe(true);
  });

  it("rate limits repeated failed sign-ins per IP", async () => {
    let last = 0;
    for (let i = 0; i < 35; i++) last = (await s.api("/api/me", { token: "not-a-token" })).status;
    expect(last).toBe(429);
  });
});
