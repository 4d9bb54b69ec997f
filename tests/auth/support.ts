import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { type AuthModule, createAuthModule } from "../../api/app/auth-module.ts";
import { loadConfig } from "../../api/config/config.ts";
import { EventBus } from "../../api/events.ts";
import { createHttpApp } from "../../api/http/app.ts";
import type { EventDoc } from "../../api/store/documents.ts";
import type { Store } from "../../api/store/store.ts";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_TENANT_ID,
  PRODUCT_APP,
  type RunningSimulator,
  type SimulatorOptions,
} from "../../sim/index.ts";
import { ADMIN_ROLE, type ApiInit, type ApiResponse, callApi } from "../support/api-client.ts";
import { startTestSimulator } from "../support/sim.ts";
import { startTestStore } from "../support/stack.ts";

/** The API's auth module on a real HTTP server, a local Cosmos server and the Entra simulator. */
export interface AuthStack {
  url: string;
  sim: RunningSimulator;
  store: Store;
  auth: AuthModule;
  events: EventDoc[];
  token(options?: {
    tenantId?: string;
    userId?: string;
    roles?: string[];
    audience?: string;
    expiresInSeconds?: number;
    notBefore?: number;
  }): Promise<string>;
  api(path: string, init?: ApiInit): Promise<ApiResponse>;
  close(): Promise<void>;
}

export async function startAuthStack(
  options: {
    sim?: Omit<SimulatorOptions, "tls">;
    env?: Record<string, string>;
    /** The API's clock (sessions, consent state, token cache); the simulator keeps its own. */
    now?: () => number;
  } = {},
): Promise<AuthStack> {
  const stack = await startTestStore();
  const sim = await startTestSimulator(options.sim ?? {});
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    COSMOS_ENDPOINT: stack.endpoint,
    AUTHORITY_HOST: sim.url,
    GRAPH_BASE_URL: sim.url,
    AUTH_CLIENT_ID: PRODUCT_APP.clientId,
    AUTH_CLIENT_SECRET: PRODUCT_APP.clientSecret,
    AUTH_AUDIENCES: PRODUCT_APP.appIdUri,
    AUTH_API_SCOPE: `${PRODUCT_APP.appIdUri}/access_as_user`,
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SESSION_SECRET: randomBytes(32).toString("base64"),
    PUBLIC_URL: url,
    LOG_LEVEL: "silent",
    BOT_ALLOW_UNSIGNED: "true",
    ...options.env,
  });
  const logger = pino({ level: "silent" });
  const bus = new EventBus(stack.store);
  const events: EventDoc[] = [];
  bus.subscribe((e) => {
    events.push(e);
  });
  const auth = createAuthModule({
    config,
    store: stack.store,
    events: bus,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  const app = createHttpApp({
    logger,
    checks: [],
    publicRoutes: auth.publicRoutes,
    authenticate: auth.authenticate,
    apiRoutes: auth.apiRoutes,
    tabDist: "/nonexistent",
  });
  server.on("request", app);

  return {
    url,
    sim,
    store: stack.store,
    auth,
    events,
    token: (o = {}) =>
      sim.directory.issueUserToken({
        tenantId: o.tenantId ?? DEMO_TENANT_ID,
        userId: o.userId ?? DEMO_ADMIN_USER_ID,
        roles: o.roles ?? [ADMIN_ROLE],
        ...(o.audience ? { audience: o.audience } : {}),
        ...(o.expiresInSeconds !== undefined ? { expiresInSeconds: o.expiresInSeconds } : {}),
        ...(o.notBefore !== undefined ? { notBefore: o.notBefore } : {}),
      }),
    api: (path, init) => callApi(url, path, init),
    async close() {
      await auth.scheduler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sim.close();
      await stack.close();
    },
  };
}

/** Submits one of the simulator's sign-in/consent forms the way a browser would, returning the redirect. */
async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

/** Reads the hidden fields of the first form on a simulator page. */
function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  const form = html.slice(html.indexOf("<form"), html.indexOf("</form>"));
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    out[decode(m[1] ?? "")] = decode(m[2] ?? "");
  return out;
}

const decode = (s: string) =>
  s.replace(/&(#\d+|amp|lt|gt|quot|#39);/g, (_, e: string) =>
    e === "amp"
      ? "&"
      : e === "lt"
        ? "<"
        : e === "gt"
          ? ">"
          : e === "quot"
            ? '"'
            : String.fromCharCode(Number(e.slice(1))),
  );

/**
 * Plays an admin through the simulator's pages: pick the account on the authority's page, accept the
 * permissions if asked, and return the URL the authority redirects back to (our callback).
 */
export async function signInAtAuthority(
  authorityUrl: string,
  tenantId: string,
  userId: string,
): Promise<string> {
  const u = new URL(authorityUrl);
  const params = Object.fromEntries(u.searchParams.entries());
  const select = await postForm(`${u.origin}${u.pathname}/select`, {
    ...params,
    tenant_id: tenantId,
    user_id: userId,
  });
  if (select.status === 302) return select.headers.get("location") as string;
  const html = await select.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`No consent form on the authority page: ${html.slice(0, 300)}`);
  const fields = hiddenFields(html);
  const decide = await postForm(`${u.origin}${decode(action)}`, { ...fields, decision: "accept" });
  if (decide.status !== 302)
    throw new Error(`Consent page answered ${decide.status}: ${(await decide.text()).slice(0, 300)}`);
  return decide.headers.get("location") as string;
}
