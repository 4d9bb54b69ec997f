import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../sim/identity/keys.ts";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_ORDINARY_USER_ID,
  DEMO_TENANT_ID,
  demoTenant,
  OTHER_TENANT_ID,
  otherTenant,
  ROLE_TEMPLATES,
} from "../../sim/index.ts";
import { ADMIN_ROLE, READER_ROLE } from "../support/api-client.ts";
import { type AuthStack, startAuthStack } from "./support.ts";

describe("bearer tokens against the simulated identity platform", () => {
  let s: AuthStack;
  beforeAll(async () => {
    s = await startAuthStack({ sim: { tenants: [demoTenant(), otherTenant()] } });
  });
  afterAll(() => s?.close());

  /** Re-signs a valid token's claims with changes, with the simulator's own key (a forged-but-signed token). */
  const resigned = async (changes: Record<string, unknown>) => {
    const claims = decodeJwt(await s.token());
    return signToken({ ...claims, ...changes });
  };

  it("accepts a valid Teams SSO token and answers who the caller is", async () => {
    const res = await s.api("/api/me", { token: await s.token() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenantId: DEMO_TENANT_ID,
      oid: DEMO_ADMIN_USER_ID,
      isAdmin: true,
      canRead: true,
    });
    expect(res.body.csrfToken).toBeUndefined();
  });

  it("accepts the api:// audience as well as the client id", async () => {
    const res = await s.api("/api/me", {
      token: await s.token({ audience: "api://localhost/6a3b8f2e-1d4c-4e7a-9b05-c8e2d1f4a763" }),
    });
    expect(res.status).toBe(200);
  });

  it("rejects a request without a token with 401", async () => {
    const res = await s.api("/api/me");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthenticated");
  });

  it("rejects a token signed with another key (401 token-signature)", async () => {
    const claims = decodeJwt(await s.token());
    const { privateKey } = await generateKeyPair("RS256");
    const header = JSON.parse(Buffer.from((await s.token()).split(".")[0] as string, "base64url").toString());
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: header.kid })
      .sign(privateKey);
    const res = await s.api("/api/me", { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token-signature");
  });

  it("rejects a tampered payload (401 token-signature)", async () => {
    const [h, , sig] = (await s.token({ roles: [] })).split(".");
    const payload = Buffer.from(
      JSON.stringify({ ...decodeJwt(await s.token()), roles: [ADMIN_ROLE, "x"] }),
    ).toString("base64url");
    const res = await s.api("/api/me", { token: `${h}.${payload}.${sig}` });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token-signature");
  });

  it("rejects a token for another application (401 token-audience)", async () => {
    const res = await s.api("/api/me", {
      token: await s.token({ audience: "00000003-0000-0000-c000-000000000000" }),
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token-audience");
  });

  it("rejects a token whose issuer is not its own tenant (401 token-issuer)", async () => {
    const res = await s.api("/api/me", {
      token: await resigned({ iss: `${s.sim.url}/${OTHER_TENANT_ID}/v2.0` }),
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token-issuer");
    const foreign = await s.api("/api/me", {
      token: await resigned({ iss: `https://login.example.com/${DEMO_TENANT_ID}/v2.0` }),
    });
    expect(foreign.status).toBe(401);
  });

  it("rejects an expired token and a not-yet-valid one (401)", async () => {
    const expired = await s.api("/api/me", { token: await s.token({ expiresInSeconds: -600 }) });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("token-expired");
    const early = await s.api("/api/me", {
      token: await s.token({ notBefore: Math.floor(Date.now() / 1000) + 3600 }),
    });
    expect(early.status).toBe(401);
    expect(early.body.error.code).toBe("token-not-yet-valid");
  });

  it("rejects app-only tokens with no user behind them (401)", async () => {
    const res = await s.api("/api/me", { token: await resigned({ scp: undefined, idtyp: "app" }) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token-not-delegated");
  });

  it("answers 403 with the reason when a role is missing", async () => {
    const none = await s.token({ userId: DEMO_ORDINARY_USER_ID, roles: [] });
    const me = await s.api("/api/me", { token: none });
    expect(me.body).toMatchObject({ isAdmin: false, canRead: false });
    const read = await s.api("/api/connections", { token: none });
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe("reader-required");
    expect(read.body.error.message).toContain("DirectorySync.Admin");

    const reader = await s.token({ userId: DEMO_ORDINARY_USER_ID, roles: [READER_ROLE] });
    expect((await s.api("/api/connections", { token: reader })).status).toBe(200);
    const write = await s.api("/api/connections", {
      token: reader,
      method: "POST",
      json: { name: "x", kind: "graph-delegated" },
    });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe("admin-required");
  });

  it("treats an admin directory role in wids as admin (no app role needed)", async () => {
    const token = await resigned({
      roles: undefined,
      wids: [ROLE_TEMPLATES.userAdministrator, "b79fbf4d-3ef9-4689-8143-76b194e85509"],
    });
    const me = await s.api("/api/me", { token });
    expect(me.body).toMatchObject({ isAdmin: true, canRead: true });
    const globalReader = await resigned({ roles: undefined, wids: [ROLE_TEMPLATES.globalReader] });
    expect((await s.api("/api/me", { token: globalReader })).body.isAdmin).toBe(false);
  });

  it("takes the tenant from the token: another tenant's valid token sees only its own tenant", async () => {
    const other = await s.token({
      tenantId: OTHER_TENANT_ID,
      userId: s.sim.directory.listUsers(OTHER_TENANT_ID)[0]?.id as string,
    });
    const me = await s.api("/api/me", { token: other });
    expect(me.status).toBe(200);
    expect(me.body.tenantId).toBe(OTHER_TENANT_ID);
  });
});

describe("tenant allow-list", () => {
  let s: AuthStack;
  beforeAll(async () => {
    s = await startAuthStack({
      sim: { tenants: [demoTenant(), otherTenant()] },
      env: { ALLOWED_TENANTS: DEMO_TENANT_ID },
    });
  });
  afterAll(() => s?.close());

  it("refuses tenants outside the allow-list with 403", async () => {
    const other = await s.token({
      tenantId: OTHER_TENANT_ID,
      userId: s.sim.directory.listUsers(OTHER_TENANT_ID)[0]?.id as string,
    });
    const res = await s.api("/api/me", { token: other });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("tenant-not-allowed");
    expect((await s.api("/api/me", { token: await s.token() })).status).toBe(200);
  });
});
