import { randomBytes } from "node:crypto";
import { type RunningApi, type StartOptions, startApi } from "../../api/app/start.ts";
import { type Config, loadConfig } from "../../api/config/config.ts";
import type { TaskDoc } from "../../api/store/documents.ts";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_CUSTOMER_APP,
  DEMO_ORDINARY_USER_ID,
  DEMO_TENANT_ID,
  demoTenant,
  otherTenant,
  PRODUCT_APP,
  type RunningSimulator,
  type SimulatorOptions,
} from "../../sim/index.ts";
import { ADMIN_ROLE, type ApiInit, type ApiResponse, callApi, READER_ROLE } from "./api-client.ts";
import { startTestSimulator } from "./sim.ts";
import { startTestStore } from "./stack.ts";

const POLL_INTERVAL_MS = 100;
const MAX_POLLS = 600;

/**
 * The product as `npm start` runs it (dev/start.ts): the composition root's `startApi` serving the API, the
 * bot endpoint and the tab on one port, configured only through environment values that point at a local
 * Cosmos server and the simulated Entra tenant (demo tenant plus a second one for isolation checks).
 */
export interface FullStack {
  /** Base URL of the running API (it changes when the API is restarted). */
  readonly url: string;
  readonly sim: RunningSimulator;
  readonly config: Config;
  /** The running API process's parts (scheduler, live updates), for what a test cannot reach over HTTP. */
  readonly running: RunningApi;
  /** The running API's scheduler (tick it by hand with SCHEDULER_ENABLED=false, the default here). */
  readonly scheduler: RunningApi["scheduler"];
  /** The running API's change feed (for retention jobs a test runs itself). */
  readonly feed: RunningApi["feed"];
  api(path: string, init?: ApiInit): Promise<ApiResponse>;
  /** A Teams SSO-shaped token with the DirectorySync.Admin app role. */
  adminToken(tenantId?: string, userId?: string): Promise<string>;
  /** A token with the DirectorySync.Reader app role only. */
  readerToken(tenantId?: string, userId?: string): Promise<string>;
  /**
   * Creates an app-credential connection of the demo tenant with its own app registration, as an admin does in
   * the tab; throws unless the API answers 201.
   */
  createDemoConnection(token: string): Promise<ApiResponse>;
  /** Polls GET /api/tasks/:id (a demo tenant task) until it is neither queued nor running; returns it. */
  waitForTask(id: string): Promise<TaskDoc>;
  /**
   * Stops the API process and starts a new one over the same store, simulator and keys, as after a deploy
   * or a restart: nothing that lives only in memory (cached access tokens included) survives.
   */
  restartApi(): Promise<void>;
  close(): Promise<void>;
}

export async function startFullStack(
  options: {
    sim?: Omit<SimulatorOptions, "tls" | "tenants">;
    env?: Record<string, string>;
    start?: StartOptions;
    /** The scheduler's clock, for backoffs measured in hours. */
    now?: () => number;
  } = {},
): Promise<FullStack> {
  const cosmos = await startTestStore();
  const sim = await startTestSimulator({ tenants: [demoTenant(), otherTenant()], ...options.sim });
  const config = loadConfig({
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    COSMOS_DATABASE: cosmos.database,
    GRAPH_BASE_URL: sim.url,
    AUTHORITY_HOST: sim.url,
    AUTH_CLIENT_ID: PRODUCT_APP.clientId,
    AUTH_CLIENT_SECRET: PRODUCT_APP.clientSecret,
    AUTH_AUDIENCES: PRODUCT_APP.appIdUri,
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    // As `npm start` runs it: no bot registration, so the endpoint accepts unsigned activities.
    BOT_APP_ID: "",
    BOT_ALLOW_UNSIGNED: "true",
    PORT: "0",
    SCHEDULER_ENABLED: "false",
    LOG_LEVEL: "silent",
    // Tests of other features change the tenant and then sync by hand; live updates would sync first.
    // Tests of live updates turn them on.
    LIVE_UPDATES: "false",
    ...options.env,
  });
  const startOptions: StartOptions = { ...options.start, ...(options.now ? { now: options.now } : {}) };
  let running: RunningApi = await startApi(config, startOptions);

  const defaultUser = (tenantId: string, preferred: string) =>
    tenantId === DEMO_TENANT_ID ? preferred : (sim.directory.listUsers(tenantId)[0]?.id ?? "");
  const token = (tenantId: string, userId: string, role: string) =>
    sim.directory.issueUserToken({ tenantId, userId, roles: [role] });
  const api = (path: string, init?: ApiInit) => callApi(running.url, path, init);

  return {
    get url() {
      return running.url;
    },
    sim,
    config,
    get running() {
      return running;
    },
    get scheduler() {
      return running.scheduler;
    },
    get feed() {
      return running.feed;
    },
    api,
    adminToken: (tenantId = DEMO_TENANT_ID, userId = defaultUser(tenantId, DEMO_ADMIN_USER_ID)) =>
      token(tenantId, userId, ADMIN_ROLE),
    readerToken: (tenantId = DEMO_TENANT_ID, userId = defaultUser(tenantId, DEMO_ORDINARY_USER_ID)) =>
      token(tenantId, userId, READER_ROLE),
    async createDemoConnection(token) {
      const created = await api("/api/connections", {
        token,
        method: "POST",
        json: {
          name: "Contoso directory",
          kind: "graph-app",
          clientId: DEMO_CUSTOMER_APP.clientId,
          clientSecret: DEMO_CUSTOMER_APP.clientSecret,
        },
      });
      if (created.status !== 201)
        throw new Error(`POST /api/connections answered ${created.status}: ${created.text}`);
      return created;
    },
    async waitForTask(id) {
      const admin = await token(DEMO_TENANT_ID, DEMO_ADMIN_USER_ID, ADMIN_ROLE);
      let last: ApiResponse | undefined;
      const task = await pollUntil(`task ${id} to end`, async () => {
        last = await api(`/api/tasks/${id}`, { token: admin });
        if (last.status !== 200)
          throw new Error(`GET /api/tasks/${id} answered ${last.status}: ${last.text}`);
        const status = (last.body as TaskDoc).status;
        return status === "queued" || status === "running" ? undefined : (last.body as TaskDoc);
      });
      return task;
    },
    async restartApi() {
      await running.close();
      running = await startApi(config, startOptions);
    },
    async close() {
      await running.close();
      await sim.close();
      await cosmos.close();
    },
  };
}

/**
 * Asks `probe` until it returns a value, at most `maxPolls` times with a short pause in between; fails with
 * what it was waiting for instead of hanging until the test's timeout.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  maxPolls = MAX_POLLS,
): Promise<T> {
  for (let poll = 1; poll <= maxPolls; poll++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`Gave up waiting for ${what} after ${maxPolls} polls`);
}
