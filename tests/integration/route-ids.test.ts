import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthModule } from "../../api/app/auth-module.ts";
import { loadConfig } from "../../api/config/config.ts";
import { EventBus } from "../../api/events.ts";
import { createHttpApp } from "../../api/http/app.ts";
import { directoryRoutes } from "../../api/http/routes/directory-routes.ts";
import { syncRoutes } from "../../api/http/routes/sync-routes.ts";
import { SyncService } from "../../api/sync/service.ts";
import { DEMO_ADMIN_USER_ID, DEMO_TENANT_ID, PRODUCT_APP, type RunningSimulator } from "../../sim/index.ts";
import { ADMIN_ROLE, callApi } from "../support/api-client.ts";
import { startTestSimulator } from "../support/sim.ts";
import { startTestStore } from "../support/stack.ts";

/**
 * Ids arrive in the URL path; Cosmos DB refuses `/ \ # ?` in ids and a `?` ends its resource path, so a
 * crafted id must be refused at the route: 400 naming the path parameter (or 404), never a 500 with an
 * error in the log, and never another document than the one named.
 */
describe("ids in the URL path", () => {
  let url: string;
  let admin: string;
  let sim: RunningSimulator;
  let taskId: string;
  const errorLines: string[] = [];
  let close: () => Promise<void>;

  beforeAll(async () => {
    const cosmos = await startTestStore();
    sim = await startTestSimulator();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://localhost:${(server.address() as AddressInfo).port}`;
    const config = loadConfig({
      COSMOS_ENDPOINT: cosmos.endpoint,
      AUTHORITY_HOST: sim.url,
      GRAPH_BASE_URL: sim.url,
      AUTH_CLIENT_ID: PRODUCT_APP.clientId,
      AUTH_CLIENT_SECRET: PRODUCT_APP.clientSecret,
      AUTH_AUDIENCES: PRODUCT_APP.appIdUri,
      ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SESSION_SECRET: randomBytes(32).toString("base64"),
      PUBLIC_URL: url,
      BOT_ALLOW_UNSIGNED: "true",
    });
    // The API's log, as an operator would read it: every line at warn level or above is kept.
    const logger = pino(
      { level: "warn" },
      new Writable({
        write(chunk, _encoding, done) {
          const line = JSON.parse(String(chunk)) as { level: number };
          if (line.level >= 50) errorLines.push(String(chunk));
          done();
        },
      }),
    );
    const events = new EventBus(cosmos.store);
    const auth = createAuthModule({ config, store: cosmos.store, events, logger });
    const sync = new SyncService({ store: cosmos.store, events, logger, ...auth.syncHooks });
    server.on(
      "request",
      createHttpApp({
        logger,
        checks: [],
        publicRoutes: auth.publicRoutes,
        authenticate: auth.authenticate,
        apiRoutes: [
          ...auth.apiRoutes,
          syncRoutes(cosmos.store, sync),
          directoryRoutes(cosmos.store, auth.syncHooks.graphFor),
        ],
        tabDist: "/nonexistent",
      }),
    );
    admin = await sim.directory.issueUserToken({
      tenantId: DEMO_TENANT_ID,
      userId: DEMO_ADMIN_USER_ID,
      roles: [ADMIN_ROLE],
    });
    taskId = "5f0c8a52-3d3e-4f7c-9a41-2b8d6c1e0f99";
    await cosmos.store.tasks.create({
      id: taskId,
      tenantId: DEMO_TENANT_ID,
      type: "task",
      connectionId: "1c7e2f44-0b9a-4d53-8e61-3a5f9d2c7b10",
      connectionName: "Contoso",
      taskType: "full",
      trigger: "manual",
      requestedBy: { oid: DEMO_ADMIN_USER_ID, name: "Admin" },
      status: "succeeded",
      createdAt: new Date().toISOString(),
      progress: { phase: "succeeded", processed: 0 },
      counters: {
        users: { processed: 0, created: 0, updated: 0, deleted: 0, restored: 0, skipped: 0, errors: 0 },
        lists: { processed: 0, created: 0, updated: 0, deleted: 0, restored: 0, skipped: 0, errors: 0 },
      },
      notes: [],
    } as never);
    close = async () => {
      await auth.scheduler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sim.close();
      await cosmos.close();
    };
  });
  afterAll(() => close?.());

  const crafted = ["a%2Fb", "a%5Cb", "a%23b", "a%3Fb", "a%3Ab", "..%2F..%2Fconnections", "%20"];
  const routes: [method: string, path: (id: string) => string][] = [
    ["GET", (id) => `/api/tasks/${id}`],
    ["GET", (id) => `/api/tasks/${id}/records`],
    ["GET", (id) => `/api/tasks/${id}/records.csv`],
    ["POST", (id) => `/api/tasks/${id}/cancel`],
    ["POST", (id) => `/api/tasks/${id}/confirm`],
    ["POST", (id) => `/api/connections/${id}/tasks`],
    ["GET", (id) => `/api/connections/${id}`],
    ["GET", (id) => `/api/profiles/${id}`],
    ["GET", (id) => `/api/profiles/${id}/photo`],
    ["GET", (id) => `/api/lists/${id}/members`],
  ];

  it("answers an id with / \\ # ? or : with 400 naming the path parameter, and logs no error", async () => {
    for (const [method, path] of routes)
      for (const id of crafted) {
        const res = await callApi(url, path(id), {
          method,
          token: admin,
          ...(method === "POST" ? { json: { type: "full" } } : {}),
        });
        expect(res.status, `${method} ${path(id)}: ${res.text}`).toBe(400);
        expect(res.body.error.fields, `${method} ${path(id)}`).toHaveProperty("id");
      }
    expect(errorLines).toEqual([]);
  });

  it("never answers for another document than the one named (a ? does not cut the id short)", async () => {
    const real = await callApi(url, `/api/tasks/${taskId}`, { token: admin });
    expect(real.status).toBe(200);
    const cut = await callApi(url, `/api/tasks/${taskId}%3Fx%3D1`, { token: admin });
    expect(cut.status).toBe(400);
    expect(cut.body.id).toBeUndefined();
    const unknown = await callApi(url, "/api/tasks/7d9e1b2c-4a5f-4e6d-8c7b-0a1b2c3d4e5f", { token: admin });
    expect(unknown.status).toBe(404);
    expect(errorLines).toEqual([]);
  });
});
