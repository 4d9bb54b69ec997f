import { ConfidentialClientApplication } from "@azure/msal-node";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_CUSTOMER_APP,
  DEMO_ORDINARY_USER_ID,
  DEMO_TENANT_DOMAIN,
  DEMO_TENANT_ID,
  OTHER_TENANT_ID,
  PRODUCT_APP,
  type RunningSimulator,
} from "../../sim/index.ts";
import { startTestSimulator, tokenRequest } from "./helpers.ts";

let sim: RunningSimulator;
let now = Date.now();

beforeAll(async () => {
  sim = await startTestSimulator({ clock: () => now });
});
afterAll(() => sim.close());

const clientCredentials = (
  tenant: string,
  secret: string = DEMO_CUSTOMER_APP.clientSecret,
  clientId: string = DEMO_CUSTOMER_APP.clientId,
) =>
  tokenRequest(sim, tenant, {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: secret,
    scope: "https://graph.microsoft.com/.default",
  });

describe("OpenID metadata and keys", () => {
  it("serves tenant metadata with the tenant issuer, and {tenantid} for common", async () => {
    const tenant = await (
      await fetch(`${sim.url}/${DEMO_TENANT_ID}/v2.0/.well-known/openid-configuration`)
    ).json();
    expect(tenant.issuer).toBe(`${sim.url}/${DEMO_TENANT_ID}/v2.0`);
    expect(tenant.token_endpoint).toBe(`${sim.url}/${DEMO_TENANT_ID}/oauth2/v2.0/token`);
    expect(tenant.jwks_uri).toBe(`${sim.url}/${DEMO_TENANT_ID}/discovery/v2.0/keys`);
    const byDomain = await (
      await fetch(`${sim.url}/${DEMO_TENANT_DOMAIN}/v2.0/.well-known/openid-configuration`)
    ).json();
    expect(byDomain.issuer).toBe(tenant.issuer);
    const common = await (await fetch(`${sim.url}/common/v2.0/.well-known/openid-configuration`)).json();
    expect(common.issuer).toBe(`${sim.url}/{tenantid}/v2.0`);
    const missing = await fetch(`${sim.url}/nobody.example/v2.0/.well-known/openid-configuration`);
    expect(missing.status).toBe(400);
    expect((await missing.json()).error_codes).toEqual([90002]);
  });

  it("publishes a JWKS that verifies issued tokens, with a stable kid", async () => {
    const jwks = await (await fetch(`${sim.url}/${DEMO_TENANT_ID}/discovery/v2.0/keys`)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", use: "sig", alg: "RS256" });
    const again = await (await fetch(`${sim.url}/common/discovery/v2.0/keys`)).json();
    expect(again.keys[0].kid).toBe(jwks.keys[0].kid);
    const token = await sim.directory.issueUserToken({
      tenantId: DEMO_TENANT_ID,
      userId: DEMO_ADMIN_USER_ID,
    });
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: `${sim.url}/${DEMO_TENANT_ID}/v2.0`,
      audience: PRODUCT_APP.clientId,
    });
    expect(protectedHeader.kid).toBe(jwks.keys[0].kid);
    expect(payload).toMatchObject({
      tid: DEMO_TENANT_ID,
      oid: DEMO_ADMIN_USER_ID,
      ver: "2.0",
      scp: "access_as_user",
    });
    expect(payload.preferred_username).toBe(`admin@${DEMO_TENANT_DOMAIN}`);
  });

  it("answers instance discovery in MSAL's shape", async () => {
    const res = await (await fetch(`${sim.url}/common/discovery/instance?api-version=1.1`)).json();
    expect(res.tenant_discovery_endpoint).toContain("/common/v2.0/.well-known/openid-configuration");
    expect(res.metadata[0].aliases).toContain(new URL(sim.url).host);
  });
});

describe("client credentials", () => {
  it("issues a Graph token whose roles are the tenant's application grants", async () => {
    const { status, body } = await clientCredentials(DEMO_TENANT_ID);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    const claims = decodeJwt(body.access_token as string);
    expect(claims.aud).toBe("https://graph.microsoft.com");
    expect(claims.tid).toBe(DEMO_TENANT_ID);
    expect(claims.roles).toEqual(
      expect.arrayContaining(["User.Read.All", "GroupMember.Read.All", "ProfilePhoto.Read.All"]),
    );
  });

  it("also accepts the simulator's own URL as the Graph resource", async () => {
    const { status } = await tokenRequest(sim, DEMO_TENANT_ID, {
      grant_type: "client_credentials",
      client_id: DEMO_CUSTOMER_APP.clientId,
      client_secret: DEMO_CUSTOMER_APP.clientSecret,
      scope: `${sim.url}/.default`,
    });
    expect(status).toBe(200);
  });

  it("rejects a wrong secret with AADSTS7000215 invalid_client", async () => {
    const { status, body } = await clientCredentials(DEMO_TENANT_ID, "wrong");
    expect(status).toBe(401);
    expect(body.error).toBe("invalid_client");
    expect(body.error_codes).toEqual([7000215]);
    expect(String(body.error_description)).toMatch(/^AADSTS7000215: /);
    expect(body).toHaveProperty("trace_id");
    expect(body).toHaveProperty("correlation_id");
    expect(body).toHaveProperty("timestamp");
  });

  it("rejects an expired secret with AADSTS7000222", async () => {
    sim.directory.setSecret(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, "short-lived", now + 60_000);
    expect((await clientCredentials(DEMO_TENANT_ID, "short-lived")).status).toBe(200);
    now += 120_000;
    const { body } = await clientCredentials(DEMO_TENANT_ID, "short-lived");
    expect(body.error).toBe("invalid_client");
    expect(body.error_codes).toEqual([7000222]);
    sim.directory.setSecret(
      DEMO_TENANT_ID,
      DEMO_CUSTOMER_APP.clientId,
      DEMO_CUSTOMER_APP.clientSecret,
      "2099-01-01T00:00:00Z",
    );
    sim.directory.expireSecret(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    expect((await clientCredentials(DEMO_TENANT_ID)).body.error_codes).toEqual([7000222]);
    sim.directory.setSecret(
      DEMO_TENANT_ID,
      DEMO_CUSTOMER_APP.clientId,
      DEMO_CUSTOMER_APP.clientSecret,
      "2099-01-01T00:00:00Z",
    );
  });

  it("answers AADSTS700016 for an app with no service principal in the tenant, AADSTS90002 for an unknown tenant", async () => {
    const { status, body } = await clientCredentials(
      OTHER_TENANT_ID,
      PRODUCT_APP.clientSecret,
      PRODUCT_APP.clientId,
    );
    expect(status).toBe(400);
    expect(body.error).toBe("unauthorized_client");
    expect(body.error_codes).toEqual([700016]);
    const unknown = await clientCredentials("11111111-2222-3333-4444-555555555555");
    expect(unknown.body.error_codes).toEqual([90002]);
  });

  it("drops roles after consent is revoked", async () => {
    sim.directory.revokeConsent(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
    const { status, body } = await clientCredentials(DEMO_TENANT_ID);
    expect(status).toBe(200);
    expect(decodeJwt(body.access_token as string).roles).toBeUndefined();
    sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, [
      "User.Read.All",
      "GroupMember.Read.All",
    ]);
    expect(decodeJwt((await clientCredentials(DEMO_TENANT_ID)).body.access_token as string).roles).toEqual([
      "User.Read.All",
      "GroupMember.Read.All",
    ]);
  });

  it("is accepted by msal-node's ConfidentialClientApplication", async () => {
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
        authority: `${sim.url}/${DEMO_TENANT_ID}`,
        knownAuthorities: [new URL(sim.url).host],
      },
    });
    const result = await cca.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    expect(result?.accessToken).toBeTruthy();
    expect(result?.tokenType).toBe("Bearer");
    expect(decodeJwt(result?.accessToken as string).aud).toBe("https://graph.microsoft.com");
  });
});

describe("user flows", () => {
  async function signIn(
    userId: string,
    scope = "openid profile offline_access https://graph.microsoft.com/.default",
  ) {
    const verifier = "a".repeat(43);
    const { createHash } = await import("node:crypto");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const authorize = new URL(`${sim.url}/${DEMO_TENANT_ID}/oauth2/v2.0/authorize`);
    const params = {
      client_id: PRODUCT_APP.clientId,
      redirect_uri: "https://localhost/callback",
      response_type: "code",
      scope,
      state: "s1",
      nonce: "n1",
      code_challenge: challenge,
      code_challenge_method: "S256",
    };
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
    const page = await fetch(authorize);
    expect(await page.text()).toContain("Sign in as Adele Vance");
    const select = await fetch(`${sim.url}/${DEMO_TENANT_ID}/oauth2/v2.0/authorize/select`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...params, tenant_id: DEMO_TENANT_ID, user_id: userId }),
    });
    expect(select.status).toBe(302);
    const location = new URL(select.headers.get("location") as string);
    expect(location.searchParams.get("state")).toBe("s1");
    return { code: location.searchParams.get("code") as string, verifier, scope };
  }

  const redeem = (code: string, verifier: string, scope: string) =>
    tokenRequest(sim, DEMO_TENANT_ID, {
      grant_type: "authorization_code",
      client_id: PRODUCT_APP.clientId,
      client_secret: PRODUCT_APP.clientSecret,
      code,
      code_verifier: verifier,
      redirect_uri: "https://localhost/callback",
      scope,
    });

  it("runs authorization code + PKCE and returns what MSAL needs", async () => {
    const { code, verifier, scope } = await signIn(DEMO_ORDINARY_USER_ID);
    const { status, body } = await redeem(code, verifier, scope);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3599 });
    expect(body.refresh_token).toBeTruthy();
    const info = JSON.parse(Buffer.from(body.client_info as string, "base64url").toString());
    expect(info).toEqual({ uid: DEMO_ORDINARY_USER_ID, utid: DEMO_TENANT_ID });
    const id = decodeJwt(body.id_token as string);
    expect(id).toMatchObject({
      nonce: "n1",
      oid: DEMO_ORDINARY_USER_ID,
      tid: DEMO_TENANT_ID,
      aud: PRODUCT_APP.clientId,
    });
    const access = decodeJwt(body.access_token as string);
    expect(access.scp).toContain("User.Read.All");
    // A code is single use.
    expect((await redeem(code, verifier, scope)).body.error).toBe("invalid_grant");
  });

  it("puts directory roles (wids) and the API's app roles (roles) in user tokens for the product API", async () => {
    const apiScope = `openid profile ${PRODUCT_APP.appIdUri}/access_as_user`;
    const admin = await signIn(DEMO_ADMIN_USER_ID, apiScope);
    const adminToken = decodeJwt(
      (await redeem(admin.code, admin.verifier, apiScope)).body.access_token as string,
    );
    expect(adminToken).toMatchObject({
      aud: PRODUCT_APP.clientId,
      ver: "2.0",
      wids: ["62e90394-69f5-4237-9190-012177145e10"],
      roles: ["DirectorySync.Admin"],
    });
    sim.directory.assignAppRole(
      DEMO_TENANT_ID,
      DEMO_ORDINARY_USER_ID,
      PRODUCT_APP.clientId,
      "DirectorySync.Reader",
    );
    try {
      const reader = await signIn(DEMO_ORDINARY_USER_ID, apiScope);
      const readerToken = decodeJwt(
        (await redeem(reader.code, reader.verifier, apiScope)).body.access_token as string,
      );
      expect(readerToken.roles).toEqual(["DirectorySync.Reader"]);
      expect(readerToken.wids).toBeUndefined();
    } finally {
      sim.directory.removeAppRole(
        DEMO_TENANT_ID,
        DEMO_ORDINARY_USER_ID,
        PRODUCT_APP.clientId,
        "DirectorySync.Reader",
      );
    }
    expect(() =>
      sim.directory.assignAppRole(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, PRODUCT_APP.clientId, "Sync.Admin"),
    ).toThrow(/no app role/);
  });

  it("fails PKCE with a wrong verifier", async () => {
    const { code, scope } = await signIn(DEMO_ORDINARY_USER_ID);
    const { body } = await redeem(code, "b".repeat(43), scope);
    expect(body.error).toBe("invalid_grant");
    expect(body.error_codes).toEqual([50148]);
  });

  it("refuses refresh tokens after revokeRefreshTokens (AADSTS50173) and for disabled users (AADSTS50057)", async () => {
    const { code, verifier, scope } = await signIn(DEMO_ADMIN_USER_ID);
    const first = await redeem(code, verifier, scope);
    const refresh = (rt: string) =>
      tokenRequest(sim, DEMO_TENANT_ID, {
        grant_type: "refresh_token",
        client_id: PRODUCT_APP.clientId,
        client_secret: PRODUCT_APP.clientSecret,
        refresh_token: rt,
        scope,
      });
    const ok = await refresh(first.body.refresh_token as string);
    expect(ok.status).toBe(200);
    now += 1000;
    sim.directory.revokeRefreshTokens(DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
    const revoked = await refresh(ok.body.refresh_token as string);
    expect(revoked.body).toMatchObject({ error: "invalid_grant", error_codes: [50173] });

    const second = await signIn(DEMO_ADMIN_USER_ID);
    now += 1000;
    const fresh = await redeem(second.code, second.verifier, second.scope);
    sim.directory.disableUser(DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
    const disabled = await refresh(fresh.body.refresh_token as string);
    expect(disabled.body).toMatchObject({ error: "invalid_grant", error_codes: [50057] });
    sim.directory.enableUser(DEMO_TENANT_ID, DEMO_ADMIN_USER_ID);
  });

  it("returns consent_required (AADSTS65001) when delegated consent is gone", async () => {
    const { code, verifier, scope } = await signIn(DEMO_ORDINARY_USER_ID);
    const tokens = await redeem(code, verifier, scope);
    sim.directory.revokeConsent(DEMO_TENANT_ID, PRODUCT_APP.clientId);
    const { status, body } = await tokenRequest(sim, DEMO_TENANT_ID, {
      grant_type: "refresh_token",
      client_id: PRODUCT_APP.clientId,
      client_secret: PRODUCT_APP.clientSecret,
      refresh_token: tokens.body.refresh_token as string,
      scope,
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: "invalid_grant",
      suberror: "consent_required",
      error_codes: [65001],
    });
    sim.directory.grantDelegatedPermissions(DEMO_TENANT_ID, PRODUCT_APP.clientId, [
      "User.Read",
      "User.Read.All",
      "GroupMember.Read.All",
    ]);
  });

  it("exchanges a Teams SSO token on behalf of the user for a delegated Graph token", async () => {
    const assertion = await sim.directory.issueUserToken({
      tenantId: DEMO_TENANT_ID,
      userId: DEMO_ORDINARY_USER_ID,
    });
    const obo = (a: string) =>
      tokenRequest(sim, DEMO_TENANT_ID, {
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        client_id: PRODUCT_APP.clientId,
        client_secret: PRODUCT_APP.clientSecret,
        assertion: a,
        scope: "https://graph.microsoft.com/.default",
        requested_token_use: "on_behalf_of",
      });
    const { status, body } = await obo(assertion);
    expect(status).toBe(200);
    const claims = decodeJwt(body.access_token as string);
    expect(claims).toMatchObject({
      aud: "https://graph.microsoft.com",
      oid: DEMO_ORDINARY_USER_ID,
      tid: DEMO_TENANT_ID,
    });
    expect(String(claims.scp)).toContain("User.Read");
    const wrongAudience = await sim.directory.issueUserToken({
      tenantId: DEMO_TENANT_ID,
      userId: DEMO_ORDINARY_USER_ID,
      audience: "someone-else",
    });
    expect((await obo(wrongAudience)).body.error).toBe("invalid_grant");
  });
});
