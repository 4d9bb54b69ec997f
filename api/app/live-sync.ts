import type { Router } from "express";
import type { Config } from "../config/config.ts";
import type { ConnectionsService } from "../connections/service.ts";
import { SYSTEM_ACTOR } from "../domain/actor.ts";
import type { EventBus } from "../events.ts";
import type { GraphApi } from "../graph/client.ts";
import {
  type ForgeryLimit,
  graphNotificationRoutes,
  LIFECYCLE_PATH,
  NOTIFICATION_PATH,
} from "../http/routes/graph-notification-routes.ts";
import { liveRoutes } from "../http/routes/live-routes.ts";
import { type CoalescerOptions, RunCoalescer, type RunStart } from "../live/coalescer.ts";
import { NotificationHandler } from "../live/notifications.ts";
import { LiveSubscriptions, type NotificationEndpoint } from "../live/subscriptions.ts";
import type { Logger } from "../logger.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { SyncRequestError, type SyncService } from "../sync/service.ts";

export interface LiveSyncOptions extends CoalescerOptions {
  /** How often subscriptions are checked, renewed and re-created (default 10 minutes). */
  maintainEveryMs?: number;
  renewWithinMs?: number;
  lifetimeMinutes?: number;
  /** How many refused notifications an address may send before it is answered 429 (see the route). */
  forgeryLimit?: ForgeryLimit;
}

export interface LiveSync {
  publicRouter: Router;
  apiRouter: Router;
  subscriptions: LiveSubscriptions;
  coalescer: RunCoalescer;
  handler: NotificationHandler;
  /** Starts the maintenance timer once the server listens at `listenUrl`. */
  start(listenUrl: string): void;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Where Graph can post: PUBLIC_URL (or, without it, the address the server listens at). Graph delivers only
 * to public HTTPS addresses; a loopback address works only when Graph itself is on this machine.
 */
function notificationEndpoint(config: Config, listenUrl: string | undefined): NotificationEndpoint {
  if (!config.LIVE_UPDATES)
    return {
      problem: {
        code: "live-updates-off",
        message: "Live updates are switched off for this service (LIVE_UPDATES=false)",
        remedy:
          "Nothing to do: each connection syncs on its schedule. To get changes within seconds, set LIVE_UPDATES=true and PUBLIC_URL (see the README).",
      },
    };
  const base = config.PUBLIC_URL ?? listenUrl;
  const noUrl = (why: string): NotificationEndpoint => ({
    problem: {
      code: "no-public-url",
      message: `Microsoft Graph cannot deliver change notifications here: ${why}.`,
      remedy:
        "Set PUBLIC_URL to this service's public HTTPS address and let Microsoft Graph's notification senders reach it (see the README). The schedule keeps the directory current meanwhile.",
    },
  });
  if (!base) return noUrl("the service has no address yet");
  const url = new URL(base);
  const graphIsLocal = LOOPBACK.has(new URL(config.GRAPH_BASE_URL).hostname);
  if (LOOPBACK.has(url.hostname) && !graphIsLocal)
    return noUrl(
      `${base} is this machine's own address${config.PUBLIC_URL ? "" : " (PUBLIC_URL is not set)"}`,
    );
  if (url.protocol !== "https:" && !LOOPBACK.has(url.hostname))
    return noUrl(`${base} is not an https address`);
  return { notificationUrl: `${base}${NOTIFICATION_PATH}`, lifecycleUrl: `${base}${LIFECYCLE_PATH}` };
}

/** Graph change notifications: subscriptions per connection, the public endpoint, coalesced incremental runs. */
export function createLiveSync(deps: {
  config: Config;
  store: Store;
  events: EventBus;
  sync: SyncService;
  connections: ConnectionsService;
  graphFor: (connection: ConnectionDoc) => Promise<GraphApi>;
  forgetToken: (connection: ConnectionDoc) => void;
  logger: Logger;
  instanceId: string;
  options?: LiveSyncOptions;
}): LiveSync {
  const { config, store, events, sync, connections, logger } = deps;
  const options = deps.options ?? {};
  let listenUrl: string | undefined;
  const subscriptions = new LiveSubscriptions({
    store,
    graphFor: deps.graphFor,
    forgetToken: deps.forgetToken,
    endpoint: () => notificationEndpoint(config, listenUrl),
    logger,
    owner: deps.instanceId,
    ...(options.renewWithinMs !== undefined ? { renewWithinMs: options.renewWithinMs } : {}),
    ...(options.lifetimeMinutes !== undefined ? { lifetimeMinutes: options.lifetimeMinutes } : {}),
  });
  const startRun = async (tenantId: string, connectionId: string): Promise<RunStart> => {
    try {
      const result = await sync.startTask(tenantId, connectionId, {
        type: "incremental",
        trigger: "notification",
        requestedBy: SYSTEM_ACTOR,
      });
      return "task" in result ? "started" : "busy";
    } catch (err) {
      if (err instanceof SyncRequestError) return err.problem.code === "already-running" ? "busy" : "refused";
      throw err;
    }
  };
  const coalescer = new RunCoalescer(startRun, logger, options);
  const handler = new NotificationHandler(store, subscriptions, coalescer, logger);

  const work = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const tracked = p
      .catch((err) => logger.warn({ err }, "live updates could not be set up"))
      .finally(() => work.delete(tracked));
    work.add(tracked);
  };
  // A connection subscribes once it has synced: its delta links exist, so a notification can be acted on.
  events.subscribe((event) => {
    if (event.kind !== "sync-finished" || !event.connectionId) return;
    const { tenantId, connectionId } = { tenantId: event.tenantId, connectionId: event.connectionId };
    track(
      store.connections
        .get(tenantId, connectionId)
        .then((c) => (c ? subscriptions.ensure(c, { afterSync: true }) : undefined)),
    );
  });
  connections.onStopping((connection) => subscriptions.removeAll(connection));

  let timer: NodeJS.Timeout | undefined;
  return {
    publicRouter: graphNotificationRoutes((items) => handler.handle(items), logger, options.forgeryLimit),
    apiRouter: liveRoutes(connections, subscriptions),
    subscriptions,
    coalescer,
    handler,
    start(url) {
      listenUrl = url;
      timer = setInterval(() => track(subscriptions.maintain()), options.maintainEveryMs ?? 10 * 60_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await coalescer.stop();
      await Promise.allSettled([...work]);
    },
  };
}
