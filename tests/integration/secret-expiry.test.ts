import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID, demoTenant } from "../../sim/index.ts";
import { type AuthStack, startAuthStack } from "../auth/support.ts";
import { withholdAppPermission } from "../support/sim.ts";

interface Check {
  permission: string;
  status: string;
  detail: string;
  optional?: boolean;
}

/**
 * An app connection's client secret expires (Entra ID allows two years at most) and syncing stops that day.
 * The connection test reads the expiry from the connection's own app registration, as Graph lets it
 * (`GET /applications(appId='…')?$select=passwordCredentials`, Application.Read.All), shows it, and warns
 * in the weeks before. Without that optional permission the test still passes and says what is lost.
 */
describe("client secret expiry", () => {
  let s: AuthStack;
  let admin: string;
  let id: string;
  const secretOfApp = () => s.sim.directory.getApp(DEMO_CUSTOMER_APP.clientId)?.secrets[0];

  const test = async () => {
    s.auth.credentials.forget({ tenantId: DEMO_TENANT_ID, id });
    const res = await s.api(`/api/connections/${id}/test`, { token: admin, method: "POST" });
    expect(res.status, res.text).toBe(200);
    return res.body as { ok: boolean; checks: Check[] };
  };
  const expiryCheck = (checks: Check[]) => checks.find((c) => c.permission === "Application.Read.All");

  beforeAll(async () => {
    s = await startAuthStack({ sim: { tenants: [demoTenant()] } });
    admin = await s.token();
    const res = await s.api("/api/connections", {
      token: admin,
      method: "POST",
      json: {
        name: "Contoso",
        kind: "graph-app",
        clientId: DEMO_CUSTOMER_APP.clientId,
        clientSecret: DEMO_CUSTOMER_APP.clientSecret,
      },
    });
    expect(res.status, res.text).toBe(201);
    id = res.body.id;
  });
  afterAll(() => s?.close());

  it("shows when the client secret expires, read from the connection's app registration", async () => {
    const expiresAt = secretOfApp()?.expiresAt as number;
    const result = await test();
    expect(result.ok).toBe(true);
    expect(expiryCheck(result.checks)).toEqual({
      permission: "Application.Read.All",
      status: "granted",
      optional: true,
      detail: `The client secret expires on ${new Date(expiresAt).toISOString().slice(0, 10)}.`,
    });
    const connection = await s.api(`/api/connections/${id}`, { token: admin });
    expect(connection.body.secretExpiresAt).toBe(new Date(expiresAt).toISOString());
    expect(connection.text).not.toContain(DEMO_CUSTOMER_APP.clientSecret);
  });

  it("warns in the weeks before the secret expires, and the connection still passes", async () => {
    const secret = secretOfApp();
    if (!secret) throw new Error("the demo app has no secret");
    const original = secret.expiresAt;
    secret.expiresAt = Date.now() + 10.5 * 24 * 3600 * 1000;
    try {
      const result = await test();
      expect(result.ok).toBe(true);
      expect(expiryCheck(result.checks)?.detail).toMatch(
        /^The client secret expires on \d{4}-\d\d-\d\d \(in 10 days\): syncing stops then\. Add a new client secret .* before then\.$/,
      );
    } finally {
      secret.expiresAt = original;
    }
  });

  it("without Application.Read.All the test passes and says the expiry cannot be read", async () => {
    const restore = withholdAppPermission(s.sim, "Application.Read.All");
    try {
      const result = await test();
      expect(result.ok).toBe(true);
      expect(result.checks.filter((c) => c.status === "missing")).toEqual([
        {
          permission: "Application.Read.All",
          status: "missing",
          optional: true,
          detail: expect.stringMatching(
            /^Microsoft Graph did not let the connection read its own app registration: grant Application\.Read\.All .*Syncing does not need it\.$/,
          ),
        },
      ]);
    } finally {
      restore();
    }
  });
});
