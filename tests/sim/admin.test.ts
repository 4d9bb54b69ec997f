import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callAdmin } from "../../sim/admin/client.ts";
import { DEMO_ORDINARY_USER_ID, DEMO_TENANT_ID, type RunningSimulator } from "../../sim/index.ts";
import { appToken, graph, startTestSimulator } from "./helpers.ts";

const run = promisify(execFile);
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "sim/cli.ts", ...args], {
    env: { ...process.env, SIM_URL: sim.url },
  });
  return stdout;
}

describe("admin HTTP API", () => {
  it("exposes the directory operations as JSON and reports errors with status and code", async () => {
    const user = (await callAdmin(sim.url, "addUser", [
      DEMO_TENANT_ID,
      { displayName: "Robin Admin-Api" },
    ])) as { id: string };
    expect(sim.directory.getUser(DEMO_TENANT_ID, user.id).displayName).toBe("Robin Admin-Api");
    const missing = await fetch(`${sim.url}/_sim/getUser`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ args: [DEMO_TENANT_ID, "00000000-0000-0000-0000-000000000000"] }),
    });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("Request_ResourceNotFound");
    expect((await fetch(`${sim.url}/_sim/eval`, { method: "POST" })).status).toBe(404);
    const stats = await (await fetch(`${sim.url}/_sim/stats`)).json();
    expect(stats).toHaveProperty("resourceUnits");
  });
});

describe("CLI", () => {
  it("round-trips through the admin API: list, disable, and a fault seen by Graph", async () => {
    const users = JSON.parse(await cli("users", "demo")) as { id: string }[];
    expect(users.map((u) => u.id)).toContain(DEMO_ORDINARY_USER_ID);
    await cli("disable-user", "demo", DEMO_ORDINARY_USER_ID);
    expect(sim.directory.getUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID).accountEnabled).toBe(false);
    await cli(
      "fault",
      JSON.stringify({ pathPattern: "^/v1.0/groups", status: 503, code: "serviceNotAvailable", times: 1 }),
    );
    const token = await appToken(sim);
    expect((await graph(sim, token, "/groups")).status).toBe(503);
    expect((await graph(sim, token, "/groups")).status).toBe(200);
  });
});
