import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeOnce } from "../../api/app/jobs.ts";
import { SESSION_HOURS } from "../../api/auth/session.ts";
import { DEMO_ADMIN_USER_ID, DEMO_ORDINARY_USER_ID, DEMO_TENANT_ID } from "../../sim/index.ts";
import { type AuthStack, signInAtAuthority, startAuthStack } from "./support.ts";

const HOUR = 3_600_000;

const cookiesFrom = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((c) => c.split(";")[0] as string)
    .filter((c) => !c.endsWith("="))
    .join("; ");

/**
 * A browser session whose person never comes back (tab closed, cookie cleared) must not stay in the store
 * with its sealed refresh token: the purge job removes it once it has expired, and leaves live sessions be.
 */
describe("purge of expired browser sessions", () => {
  let s: AuthStack;
  // The API's clock, moved on so that a sign-in grows old.
  let later = 0;
  const now = () => Date.now() + later;

  async function signIn(userId: string): Promise<string> {
    const login = await fetch(`${s.url}/auth/login`, { redirect: "manual" });
    const back = await signInAtAuthority(login.headers.get("location") as string, DEMO_TENANT_ID, userId);
    const callback = await fetch(back, {
      redirect: "manual",
      headers: { cookie: cookiesFrom(login.headers) },
    });
    expect(callback.status).toBe(302);
    return cookiesFrom(callback.headers);
  }

  const sessionsOf = async (oid: string) =>
    s.store.sessions.all(DEMO_TENANT_ID, {
      where: "c.oid = @oid",
      parameters: [{ name: "@oid", value: oid }],
    });

  beforeAll(async () => {
    s = await startAuthStack({ env: { AUTH_LOGIN_TENANT: DEMO_TENANT_ID }, now });
  });
  afterAll(() => s?.close());

  it("removes a session nobody presents again once it expires, and keeps a live one working", async () => {
    // The admin signs in, then closes the browser: the cookie is never sent again.
    await signIn(DEMO_ADMIN_USER_ID);
    // Half a working day later a colleague signs in and goes on working.
    later = (SESSION_HOURS / 2) * HOUR;
    const colleague = await signIn(DEMO_ORDINARY_USER_ID);
    // Where Cosmos has TTL (infra switches it on for the container), each session expires by its own ttl.
    const [abandoned] = await sessionsOf(DEMO_ADMIN_USER_ID);
    expect(abandoned?.ttl).toBe(SESSION_HOURS * 3600);

    // Just before the admin's session expires, the purge pass leaves it.
    later = SESSION_HOURS * HOUR - 60_000;
    expect(await purgeOnce(s.store, "instance-a", undefined, now)).toMatchObject({ sessions: 0 });
    expect(await sessionsOf(DEMO_ADMIN_USER_ID)).toHaveLength(1);

    // A minute after it expired, the next pass removes it; the colleague's session is untouched.
    later = SESSION_HOURS * HOUR + 60_000;
    expect(await purgeOnce(s.store, "instance-a", undefined, now)).toMatchObject({ sessions: 1 });
    expect(await sessionsOf(DEMO_ADMIN_USER_ID)).toEqual([]);
    expect(await sessionsOf(DEMO_ORDINARY_USER_ID)).toHaveLength(1);
    const me = await s.api("/api/me", { headers: { cookie: colleague } });
    expect(me.status, me.text).toBe(200);
    expect(me.body.oid).toBe(DEMO_ORDINARY_USER_ID);
  });

  it("runs on one instance at a time: another instance's pass meanwhile does nothing", async () => {
    expect(await purgeOnce(s.store, "instance-b", undefined, now)).toBeUndefined();
  });
});
