import { afterEach, describe, expect, it } from "vitest";
import { type AuthStack, startAuthStack } from "./support.ts";

/** A different made-up client address per request, as a caller reaching the API directly can write. */
const spoofed = (i: number) => ({ "x-forwarded-for": `203.0.113.${i % 250}` });

describe("rate limits key on what the caller cannot choose", () => {
  let s: AuthStack | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it("a rotating X-Forwarded-For does not reset the failed-token limit of a directly reached API", async () => {
    s = await startAuthStack();
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++)
      statuses.push((await s.api("/api/me", { token: "not-a-token", headers: spoofed(i) })).status);
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429, 429, 429, 429]);
  });

  it("a rotating X-Forwarded-For does not reset the sign-in limit", async () => {
    s = await startAuthStack();
    const statuses: number[] = [];
    for (let i = 0; i < 65; i++) {
      const response = await fetch(`${s.url}/auth/login`, { headers: spoofed(i), redirect: "manual" });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });

  it("the consent-callback limit is not keyed on the caller's ?tenant=", async () => {
    s = await startAuthStack();
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const query = new URLSearchParams({
        tenant: `tenant-${i}`,
        admin_consent: "True",
        state: `forged-${i}`,
      });
      const response = await s.api(`/auth/consent/callback?${query}`, {
        headers: { accept: "application/json" },
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429, 429, 429, 429]);
  });

  it("failed attempts from an address never throttle a valid token from the same address", async () => {
    s = await startAuthStack();
    for (let i = 0; i < 40; i++) await s.api("/api/me", { token: "not-a-token" });
    expect((await s.api("/api/me", { token: "not-a-token" })).status).toBe(429);
    const admin = await s.token();
    const me = await s.api("/api/me", { token: admin });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({ isAdmin: true });
  });
});
