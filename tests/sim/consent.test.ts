import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_ORDINARY_USER_ID,
  DEMO_TENANT_ID,
  OTHER_TENANT_ID,
  PRODUCT_APP,
  type RunningSimulator,
} from "../../sim/index.ts";
import { startTestSimulator } from "./helpers.ts";

let sim: RunningSimulator;
const redirectUri = "https://localhost/auth/callback";

beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());

const form = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });

describe("admin consent", () => {
  const params = {
    client_id: PRODUCT_APP.clientId,
    redirect_uri: redirectUri,
    state: "xyz",
    scope: "https://graph.microsoft.com/.default",
  };
  const otherAdmin = () => sim.directory.listUsers(OTHER_TENANT_ID)[0]?.id as string;

  it("lists accounts, refuses non-admins, and records an admin's consent", async () => {
    const page = await fetch(`${sim.url}/organizations/v2.0/adminconsent?${new URLSearchParams(params)}`);
    const html = await page.text();
    expect(html).toContain("Sign in as Adele Vance");
    const refused = await form(`${sim.url}/organizations/v2.0/adminconsent/select`, {
      ...params,
      tenant_id: OTHER_TENANT_ID,
      user_id: otherAdmin(),
    });
    const refusedAt = new URL(refused.headers.get("location") as string);
    expect(refusedAt.searchParams.get("error")).toBe("access_denied");

    sim.directory.assignRole(OTHER_TENANT_ID, otherAdmin(), "62e90394-69f5-4237-9190-012177145e10");
    const consentPage = await form(`${sim.url}/organizations/v2.0/adminconsent/select`, {
      ...params,
      tenant_id: OTHER_TENANT_ID,
      user_id: otherAdmin(),
    });
    expect(await consentPage.text()).toContain(">Accept<");
    const accepted = await form(`${sim.url}/organizations/v2.0/adminconsent/decide`, {
      ...params,
      tenant_id: OTHER_TENANT_ID,
      user_id: otherAdmin(),
      decision: "accept",
    });
    const back = new URL(accepted.headers.get("location") as string);
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({
      admin_consent: "True",
      tenant: OTHER_TENANT_ID,
      state: "xyz",
    });
    const consent = sim.directory
      .listConsents(OTHER_TENANT_ID)
      .find((c) => c.clientId === PRODUCT_APP.clientId);
    expect(consent?.consentedBy?.id).toBe(otherAdmin());
    expect(consent?.delegated).toContain("User.Read.All");
  });

  it("redirects with access_denied when the admin cancels", async () => {
    const res = await form(`${sim.url}/${DEMO_TENANT_ID}/v2.0/adminconsent/decide`, {
      ...params,
      tenant_id: DEMO_TENANT_ID,
      user_id: DEMO_ADMIN_USER_ID,
      decision: "cancel",
    });
    const back = new URL(res.headers.get("location") as string);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toMatch(/^AADSTS65004/);
  });

  it("shows 'Need admin approval' to an ordinary user of a tenant without consent", async () => {
    sim.directory.revokeConsent(DEMO_TENANT_ID, PRODUCT_APP.clientId);
    const res = await form(`${sim.url}/${DEMO_TENANT_ID}/oauth2/v2.0/authorize/select`, {
      client_id: PRODUCT_APP.clientId,
      redirect_uri: redirectUri,
      scope: "openid profile offline_access User.Read",
      state: "s",
      tenant_id: DEMO_TENANT_ID,
      user_id: DEMO_ORDINARY_USER_ID,
    });
    const html = await res.text();
    expect(html).toContain("Need admin approval");
    expect(html).toContain("error=consent_required");
    sim.directory.grantDelegatedPermissions(
      DEMO_TENANT_ID,
      PRODUCT_APP.clientId,
      ["User.Read", "User.Read.All"],
      DEMO_ADMIN_USER_ID,
    );
  });
});

describe("msal-node authorization code flow", () => {
  it("builds the authorize URL and redeems the code with PKCE", async () => {
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: PRODUCT_APP.clientId,
        clientSecret: PRODUCT_APP.clientSecret,
        authority: `${sim.url}/organizations`,
        knownAuthorities: [new URL(sim.url).host],
      },
    });
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    const scopes = ["User.Read"];
    const authUrl = await cca.getAuthCodeUrl({
      scopes,
      redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      state: "st",
      nonce: "nn",
    });
    const params = Object.fromEntries(new URL(authUrl).searchParams);
    const picked = await form(`${sim.url}/organizations/oauth2/v2.0/authorize/select`, {
      ...params,
      tenant_id: DEMO_TENANT_ID,
      user_id: DEMO_ORDINARY_USER_ID,
    });
    const code = new URL(picked.headers.get("location") as string).searchParams.get("code") as string;
    const result = await cca.acquireTokenByCode({
      code,
      scopes,
      redirectUri,
      codeVerifier: verifier,
      nonce: "nn",
    });
    expect(result.account?.homeAccountId).toBe(`${DEMO_ORDINARY_USER_ID}.${DEMO_TENANT_ID}`);
    expect(result.account?.username).toBe("AdeleV@M365x214355.onmicrosoft.com");
    expect(result.idTokenClaims).toMatchObject({ tid: DEMO_TENANT_ID, nonce: "nn" });
    const silent = await cca.acquireTokenSilent({
      account: result.account as NonNullable<typeof result.account>,
      scopes,
      forceRefresh: true,
    });
    expect(silent.accessToken).toBeTruthy();
  });
});
