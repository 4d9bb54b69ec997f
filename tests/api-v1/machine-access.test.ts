import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../sim/identity/keys.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID, OTHER_TENANT_ID, PRODUCT_APP } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";
import { V1Client } from "../support/v1-api.ts";

/**
 * Applications reach the directory through API keys an admin creates and through Entra app-only tokens; each
 * ends in a machine principal confined to its tenant, its scopes and the Directory API.
 */
describe("machine access to the Directory API", () => {
  let s: FullStack;
  let v1: V1Client;
  let admin: string;

  const createKey = async (json: Record<string, unknown>, token = admin) =>
    s.api("/api/api-keys", { token, method: "POST", json });
  const appToken = async (tenantId = DEMO_TENANT_ID) => {
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: DEMO_CUSTOMER_APP.clientId,
      client_secret: DEMO_CUSTOMER_APP.clientSecret,
      scope: `${PRODUCT_APP.appIdUri}/.default`,
    });
    const res = await fetch(`${s.sim.url}/${tenantId}/oauth2/v2.0/token`, { method: "POST", body });
    const json = (await res.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`no token: ${JSON.stringify(json)}`);
    return json.access_token;
  };

  beforeAll(async () => {
    s = await startFullStack();
    v1 = await V1Client.connect(() => s.url);
    admin = await s.adminToken();
    const created = await s.createDemoConnection(admin);
    const started = await s.api(`/api/connections/${created.body.id}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    expect((await s.waitForTask(started.body.id)).status).toBe("succeeded");
  }, 120_000);
  afterAll(() => s?.close());

  it("an admin creates a key that is shown once, stored as a hash, and audited", async () => {
    const created = await createKey({ name: "Marketing platform", scopes: ["directory:read"] });
    expect(created.status, created.text).toBe(201);
    expect(created.body.key).toMatch(/^eds_[0-9a-f]{32}_[0-9a-f]{12}_/);
    expect(created.body.prefix).toBe(`eds_…_${created.body.id}`);
    const listed = await s.api("/api/api-keys", { token: admin });
    const shown = listed.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(shown).toMatchObject({ name: "Marketing platform", scopes: ["directory:read"], revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect(shown).not.toHaveProperty("hash");
    expect(shown).not.toHaveProperty("key");

    const profiles = await v1.call("/api/v1/profiles?limit=5", { token: created.body.key });
    expect(profiles.status, profiles.text).toBe(200);
    expect(profiles.body.data).toHaveLength(5);
    const used = (await s.api("/api/api-keys", { token: admin })).body.items.find(
      (k: { id: string }) => k.id === created.body.id,
    );
    expect(used.lastUsedAt).not.toBeNull();

    const audit = await s.api("/api/audit?action=api-key.created", { token: admin });
    expect(audit.body.items.some((a: { target: { id: string } }) => a.target.id === created.body.id)).toBe(
      true,
    );
    expect(JSON.stringify(audit.body)).not.toContain(created.body.key);
  });

  it("a key without a scope is refused that scope, and people's routes refuse every key", async () => {
    const { body } = await createKey({ name: "Reader only", scopes: ["directory:read"] });
    const events = await v1.call("/api/v1/events?after=0", { token: body.key });
    expect(events.status).toBe(403);
    expect(events.body.error.code).toBe("scope-missing");
    expect(events.body.error.message).toContain("events:read");
    for (const [method, path] of [
      ["GET", "/api/connections"],
      ["GET", "/api/profiles"],
      ["GET", "/api/api-keys"],
      ["POST", "/api/api-keys"],
    ] as const) {
      const res = await s.api(path, {
        token: body.key,
        method,
        ...(method === "POST" ? { json: { name: "x", scopes: ["events:read"] } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("machine-not-allowed");
    }
    // Nor can a reader (a person without the admin role) create keys.
    const reader = await s.readerToken();
    expect((await createKey({ name: "x", scopes: ["directory:read"] }, reader)).status).toBe(403);
  });

  it("a revoked key is refused at once, and the revocation is audited", async () => {
    const { body } = await createKey({ name: "Leaving app", scopes: ["directory:read", "events:read"] });
    expect((await v1.call("/api/v1/lists", { token: body.key })).status).toBe(200);
    const revoked = await s.api(`/api/api-keys/${body.id}`, { token: admin, method: "DELETE" });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const refused = await v1.call("/api/v1/lists", { token: body.key });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("api-key-revoked");
    const audit = await s.api("/api/audit?action=api-key.revoked", { token: admin });
    expect(audit.body.items.map((a: { target: { id: string } }) => a.target.id)).toContain(body.id);
  });

  it("an expired key, a forged key and a key naming another tenant are refused", async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const { body } = await createKey({ name: "Short-lived", scopes: ["directory:read"], expiresAt: soon });
    expect((await v1.call("/api/v1/profiles", { token: body.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2000));
    const expired = await v1.call("/api/v1/profiles", { token: body.key });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("api-key-expired");

    const { body: good } = await createKey({ name: "Good", scopes: ["directory:read"] });
    const last = good.key.at(-1) === "A" ? "B" : "A";
    const forged = await v1.call("/api/v1/profiles", { token: `${good.key.slice(0, -1)}${last}` });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe("api-key-invalid");
    // The same key id and secret under another tenant's id: that tenant has no such key.
    const otherTenant = OTHER_TENANT_ID.replaceAll("-", "");
    const moved = good.key.replace(/^eds_[0-9a-f]{32}_/, `eds_${otherTenant}_`);
    const elsewhere = await v1.call("/api/v1/profiles", { token: moved });
    expect(elsewhere.status).toBe(401);
    // And the other tenant's own key reads only its own (unsynced) directory.
    const otherAdmin = await s.adminToken(OTHER_TENANT_ID);
    const { body: theirs } = await createKey({ name: "Theirs", scopes: ["directory:read"] }, otherAdmin);
    const theirView = await v1.call("/api/v1/profiles", { token: theirs.key });
    expect(theirView.status).toBe(200);
    expect(theirView.body.data).toEqual([]);
  });

  it("bad key requests name the field", async () => {
    const res = await createKey({ name: "", scopes: ["directory:write"] });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.fields)).toEqual(expect.arrayContaining(["name", "scopes.0"]));
    const past = await createKey({
      name: "Past",
      scopes: ["directory:read"],
      expiresAt: "2020-01-01T00:00:00Z",
    });
    expect(past.status).toBe(400);
    expect(past.body.error.fields).toHaveProperty("expiresAt");
  });

  it("an application's own Entra app-only token reads within its app roles, and only its tenant", async () => {
    // Without an app role of the product's API, the token is nobody's.
    const none = await v1.call("/api/v1/profiles", { token: await appToken() });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("token-not-delegated");

    s.sim.directory.assignAppRoleToApp(
      DEMO_TENANT_ID,
      DEMO_CUSTOMER_APP.clientId,
      PRODUCT_APP.clientId,
      "DirectorySync.Directory.Read",
    );
    const token = await appToken();
    const profiles = await v1.call("/api/v1/profiles?limit=3", { token });
    expect(profiles.status, profiles.text).toBe(200);
    expect(profiles.body.data).toHaveLength(3);
    const events = await v1.call("/api/v1/events?after=0", { token });
    expect(events.status).toBe(403);
    expect(events.body.error.code).toBe("scope-missing");
    const admin = await s.api("/api/connections", { token });
    expect(admin.status).toBe(403);
    expect(admin.body.error.code).toBe("machine-not-allowed");

    s.sim.directory.assignAppRoleToApp(
      DEMO_TENANT_ID,
      DEMO_CUSTOMER_APP.clientId,
      PRODUCT_APP.clientId,
      "DirectorySync.Events.Read",
    );
    expect((await v1.call("/api/v1/events?after=0", { token: await appToken() })).status).toBe(200);

    // Expired, and signed by someone else's key: refused.
    const claims = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString());
    const expired = await signToken({
      ...claims,
      exp: Math.floor(Date.now() / 1000) - 600,
      nbf: Math.floor(Date.now() / 1000) - 4000,
    });
    const expiredRes = await v1.call("/api/v1/profiles", { token: expired });
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.body.error.code).toBe("token-expired");
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "forged" })
      .sign(privateKey);
    const forgedRes = await v1.call("/api/v1/profiles", { token: forged });
    expect(forgedRes.status).toBe(401);
    // A token for another tenant's app sees only that tenant: here, nothing synced.
    const otherToken = await signToken({
      ...claims,
      tid: OTHER_TENANT_ID,
      iss: claims.iss.replace(DEMO_TENANT_ID, OTHER_TENANT_ID),
    });
    const other = await v1.call("/api/v1/profiles", { token: otherToken });
    expect(other.status).toBe(200);
    expect(other.body.data).toEqual([]);
  });
});
