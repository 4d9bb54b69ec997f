import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyVaultKeyWrapper } from "../auth/key-vault.ts";
import type { Config } from "../config/config.ts";
import { EventBus } from "../events.ts";
import { ChangeFeed } from "../feed/change-feed.ts";
import { createHttpApp } from "../http/app.ts";
import { directoryRoutes } from "../http/routes/directory-routes.ts";
import { scimTokenRoutes } from "../http/routes/scim-token-routes.ts";
import { syncRoutes } from "../http/routes/sync-routes.ts";
import { welcomeRoutes } from "../http/routes/welcome-routes.ts";
import { directoryV1Routes } from "../http/v1/directory-v1-routes.ts";
import { eventsV1Routes } from "../http/v1/events-v1-routes.ts";
import { openApiRoutes } from "../http/v1/openapi.ts";
import { webhookRoutes } from "../http/v1/webhook-routes.ts";
import { createLogger, type Logger } from "../logger.ts";
import type { Scheduler } from "../scheduler/scheduler.ts";
import { scheduledStartsVia } from "../scheduler/sync-adapter.ts";
import { pushDecisions } from "../scim/decisions.ts";
import { ScimService } from "../scim/provisioning.ts";
import { TokenBuckets } from "../scim/rate-limit.ts";
import { scimRoutes } from "../scim/router.ts";
import { openStore, type Store } from "../store/store.ts";
import { SyncService } from "../sync/service.ts";
import { WebhookDispatcher } from "../webhooks/dispatcher.ts";
import { WebhookEndpoints } from "../webhooks/endpoints.ts";
import { WelcomeService } from "../welcome/service.ts";
import { createAuthModule } from "./auth-module.ts";
import { createBotModule } from "./bot-module.ts";
import { createBotSyncPort } from "./bot-port.ts";
import { botAlertSource, createBotRecords } from "./bot-records.ts";
import { ChatAdminCheck } from "./chat-admin.ts";
import { connectionNoticesToFeed } from "./feed-notices.ts";
import { startPurgeJob } from "./jobs.ts";
import { createLiveSync, type LiveSync, type LiveSyncOptions } from "./live-sync.ts";

const LOOPBACK = "127.0.0.1";

export interface RunningApi {
  url: string;
  store: Store;
  feed: ChangeFeed;
  webhooks: WebhookDispatcher;
  sync: SyncService;
  live: LiveSync;
  /** Notices to people runs created; `idle()` waits for the passes under way. */
  welcome: WelcomeService;
  /** Starts due scheduled runs (its timer runs only when SCHEDULER_ENABLED). */
  scheduler: Scheduler;
  logger: Logger;
  close(): Promise<void>;
}

export interface StartOptions {
  tabDist?: string;
  /** Debounce, renewal and maintenance timings of live updates (defaults suit production). */
  liveSync?: LiveSyncOptions;
  /** The clock of the scheduler, connection health and sync tasks (tests of multi-hour backoffs). */
  now?: () => number;
  /** Serve https with this certificate (the local Teams lifecycle, whose tab URL is https). */
  tls?: { cert: string; key: string };
  /** The SCIM endpoint's provisioning-cycle gap and per-token request budget (defaults suit Entra). */
  scim?: { cycleIdleMs?: number; requestsPerSecond?: number; burst?: number };
}

/** Entra sends a cycle's requests back to back; two minutes of silence means the cycle is over. */
const SCIM_CYCLE_IDLE_MS = 120_000;
/** Per token: well above the rate Entra's provisioning service sends at, low enough to protect the store. */
const SCIM_REQUESTS_PER_SECOND = 100;

/**
 * The composition root: one process serves the API, the bot endpoint and the tab, over one store. The
 * same code runs in Azure and under `npm start`; only the configuration differs.
 */
export async function startApi(config: Config, options: StartOptions = {}): Promise<RunningApi> {
  const logger = createLogger(config.LOG_LEVEL);
  const instanceId = config.INSTANCE_ID ?? `api-${randomUUID().slice(0, 8)}`;
  const store = await openStore({
    endpoint: config.COSMOS_ENDPOINT,
    ...(config.COSMOS_KEY ? { key: config.COSMOS_KEY } : {}),
    database: config.COSMOS_DATABASE,
  });
  const events = new EventBus(store, (err, event) =>
    logger.warn({ err, eventId: event.id }, "event listener failed"),
  );

  const keyWrapper = config.ENCRYPTION_KEY_ID
    ? KeyVaultKeyWrapper.fromCredential(
        config.ENCRYPTION_KEY_ID,
        new DefaultAzureCredential(
          config.AZURE_CLIENT_ID ? { managedIdentityClientId: config.AZURE_CLIENT_ID } : {},
        ),
      )
    : undefined;
  const auth = createAuthModule({
    config,
    store,
    events,
    logger,
    ...(keyWrapper ? { keyWrapper } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const graphFor = auth.syncHooks.graphFor;
  const clock = options.now;
  const feed = new ChangeFeed(store, { retentionDays: config.DIRECTORY_EVENTS_RETENTION_DAYS, logger });
  events.subscribe(connectionNoticesToFeed(feed));
  auth.connections.setFeed(feed);
  const sync = new SyncService({
    store,
    events,
    logger,
    instanceId,
    feed,
    ...auth.syncHooks,
    ...(clock ? { now: () => new Date(clock()) } : {}),
  });
  auth.scheduler.setStartTask(scheduledStartsVia(sync));
  const allowPrivate = config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES;
  const webhookEndpoints = new WebhookEndpoints(store, auth.secrets, feed, { allowPrivate });
  const webhooks = new WebhookDispatcher(store, feed, webhookEndpoints, events, {
    allowPrivate,
    owner: instanceId,
    baseDelayMs: config.WEBHOOK_RETRY_BASE_MS,
  });
  const scim = new ScimService({
    store,
    events,
    feed,
    cycleIdleMs: options.scim?.cycleIdleMs ?? SCIM_CYCLE_IDLE_MS,
    ...(clock ? { now: () => new Date(clock()) } : {}),
  });
  const scimRate = options.scim?.requestsPerSecond ?? SCIM_REQUESTS_PER_SECOND;
  sync.setPushDecisions(pushDecisions(scim));
  const live = createLiveSync({
    config,
    store,
    events,
    sync,
    connections: auth.connections,
    graphFor,
    forgetToken: (connection) => auth.credentials.forget(connection),
    logger,
    instanceId,
    ...(options.liveSync ? { options: options.liveSync } : {}),
  });
  const bot = createBotModule({
    config,
    records: createBotRecords(store),
    events: botAlertSource(events),
    sync: createBotSyncPort(
      store,
      sync,
      auth.credentials,
      auth.connections,
      // The same rule as the API's sign-in: an admin app role or an admin directory role.
      new ChatAdminCheck(
        auth.credentials,
        {
          adminAppRoles: config.ADMIN_APP_ROLES,
          readerAppRoles: config.READER_APP_ROLES,
          adminDirectoryRoles: config.ADMIN_DIRECTORY_ROLES,
        },
        config.AUTH_CLIENT_ID,
      ),
    ),
    logger,
  });

  // Welcome notices run after runs end, beside the bot's alerts: they read what a run created, never the run.
  const welcome = new WelcomeService({
    store,
    graphFor,
    logger,
    owner: instanceId,
    ...(config.TEAMS_APP_ID ? { teamsAppId: config.TEAMS_APP_ID } : {}),
    messenger: bot.personal,
    ...(clock ? { now: () => new Date(clock()) } : {}),
  });
  events.subscribe(welcome.listener());

  const app = createHttpApp({
    logger,
    checks: [
      { name: "cosmos", check: () => store.ping() },
      {
        name: "identity",
        check: () => reachable(`${config.AUTHORITY_HOST}/common/v2.0/.well-known/openid-configuration`),
      },
    ],
    publicRoutes: [...auth.publicRoutes, bot.router, live.publicRouter, openApiRoutes()],
    ownProtocolRoutes: [
      scimRoutes({
        service: scim,
        tokens: auth.scimTokens,
        limiter: new TokenBuckets(scimRate, options.scim?.burst ?? scimRate * 2),
        logger,
      }),
    ],
    authenticate: auth.authenticate,
    apiRoutes: [
      ...auth.apiRoutes,
      syncRoutes(store, sync),
      scimTokenRoutes({
        connections: auth.connections,
        tokens: auth.scimTokens,
        publicUrl: config.publicUrl,
        cycleIdleSeconds: Math.round(scim.cycles.idleMs / 1000),
        usage: (tenantId, connectionId) => scim.usage(tenantId, connectionId),
      }),
      directoryRoutes(store, graphFor),
      live.apiRouter,
      directoryV1Routes(store),
      eventsV1Routes(store, feed),
      webhookRoutes(store, webhookEndpoints, webhooks),
      welcomeRoutes(store, welcome),
    ],
    ...(options.tabDist ? { tabDist: options.tabDist } : {}),
    trustProxy: config.TRUST_PROXY,
  });

  // Unsigned bot activities prove nothing about their sender, so a process that accepts them is reachable
  // from this machine only: anyone on the network could otherwise act as any Teams user of any tenant.
  const unsignedBot = !config.BOT_APP_ID && config.BOT_ALLOW_UNSIGNED;
  const server: Server = options.tls ? createTlsServer(options.tls, app) : createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (unsignedBot) server.listen(config.PORT, LOOPBACK, () => resolve());
    else server.listen(config.PORT, () => resolve());
  });
  const url = `${options.tls ? "https" : "http"}://localhost:${(server.address() as AddressInfo).port}`;
  if (unsignedBot)
    logger.warn(
      { address: `${LOOPBACK}:${(server.address() as AddressInfo).port}` },
      "BOT_ALLOW_UNSIGNED without BOT_APP_ID: the bot endpoint takes unsigned activities, so the server listens on 127.0.0.1 only (this machine)",
    );
  if (config.SCHEDULER_ENABLED) auth.scheduler.start();
  live.start(url);
  const stopPurge = startPurgeJob(store, logger, instanceId, feed, clock);
  // Tasks whose worker died are taken over once their lease expires.
  const resumeOrphans = () =>
    sync.resumeOrphans().catch((err) => logger.warn({ err }, "resuming interrupted tasks failed"));
  // Webhook deliveries: new events and due retries, every second; one pass at a time.
  let delivering = false;
  const deliverTimer = setInterval(() => {
    if (delivering) return;
    delivering = true;
    webhooks
      .tick()
      .catch((err) => logger.warn({ err }, "webhook delivery pass failed"))
      .finally(() => {
        delivering = false;
      });
  }, 1000);
  deliverTimer.unref();
  // Provisioning cycles that went quiet end, and are announced, even when no further request comes.
  const closeCycles = setInterval(
    () => void scim.cycles.closeIdle().catch((err) => logger.warn({ err }, "closing SCIM cycles failed")),
    Math.min(30_000, Math.max(250, scim.cycles.idleMs / 2)),
  );
  closeCycles.unref();
  const resumeTimer = setInterval(resumeOrphans, 30_000);
  resumeTimer.unref();
  void resumeOrphans();

  return {
    url,
    store,
    feed,
    webhooks,
    sync,
    live,
    welcome,
    scheduler: auth.scheduler,
    logger,
    async close() {
      await auth.scheduler.stop();
      await live.stop();
      clearInterval(resumeTimer);
      clearInterval(closeCycles);
      clearInterval(deliverTimer);
      stopPurge();
      await welcome.stop();
      bot.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await sync.shutdown();
      store.close();
    },
  };
}

async function reachable(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}
