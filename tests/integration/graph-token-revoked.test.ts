import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionDoc } from "../../api/store/documents.ts";
import { DEMO_TENANT_ID } from "../../sim/index.ts";
import { type FullStack, startFullStack } from "../support/full-stack.ts";

/**
 * Entra ID revokes access tokens early (a password reset, a security event under continuous access
 * evaluation) while the connection's secret still works: Graph answers 401 InvalidAuthenticationToken to the
 * token the API cached. A new token cures it; the connection must not be declared lost.
 */
describe("a cached Graph token that Graph rejects", () => {
  let s: FullStack;
  let admin: string;
  let connectionId: string;
  // The simulated tenant's clock, moved on past a revocation so the tokens issued after it are newer.
  let skew = 0;

  const revokeIssuedTokens = () => {
    s.sim.directory.revokeAccessTokens(DEMO_TENANT_ID);
    skew += 1_000;
  };
  const connection = async () =>
    (await s.api(`/api/connections/${connectionId}`, { token: admin })).body as ConnectionDoc;

  beforeAll(async () => {
    s = await startFullStack({ sim: { clock: () => Date.now() + skew } });
    admin = await s.adminToken();
    const created = await s.createDemoConnection(admin);
    connectionId = created.body.id;
    const test = await s.api(`/api/connections/${connectionId}/test`, { token: admin, method: "POST" });
    expect(test.body.ok, test.text).toBe(true);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("is dropped and a sync retries once with a fresh token, instead of ending in needs-reauth", async () => {
    revokeIssuedTokens();
    const started = await s.api(`/api/connections/${connectionId}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    expect(started.status, started.text).toBe(202);
    const task = await s.waitForTask(started.body.id);
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    expect(task.counters?.users?.created ?? 0).toBeGreaterThan(0);
    expect((await connection()).status).toBe("active");
  });

  it('"Test connection" never uses a cached token: it passes on a fresh one after a revocation', async () => {
    // The sync above left a token in the cache; Entra ID revokes it.
    revokeIssuedTokens();
    const test = await s.api(`/api/connections/${connectionId}/test`, { token: admin, method: "POST" });
    expect(test.status, test.text).toBe(200);
    expect(test.body.ok, test.text).toBe(true);
    expect(
      test.body.checks.find((c: { permission: string }) => c.permission === "User.Read.All"),
    ).toMatchObject({
      status: "granted",
    });
    expect((await connection()).status).toBe("active");
  });
});
