import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { ApiKeys } from "../api/auth/api-keys.ts";
import { TokenValidator } from "../api/auth/token-validator.ts";
import type { ChangeFeed } from "../api/feed/change-feed.ts";
import { createHttpApp } from "../api/http/app.ts";
import { createAuthenticate } from "../api/http/authenticate.ts";
import { eventsV1Routes } from "../api/http/v1/events-v1-routes.ts";
import type { Store } from "../api/store/store.ts";

/** The largest page each route allows: a consumer draining a large tenant asks for it. */
const SNAPSHOT_PAGE = 500;
const EVENTS_PAGE = 500;

export interface ApiDrain {
  /** Profiles, lists and memberships of the snapshot. */
  objects: number;
  events: number;
  /** HTTP requests it took (snapshot and feed pages). */
  requests: number;
  ms: number;
  snapshotMs: number;
}

/**
 * A new consumer's first copy, through /api/v1 over HTTP with an API key, as the reference consumer
 * (examples/directory-mirror) takes it: page the snapshot to its end, then page the feed from its start
 * (the whole feed, not just what followed the snapshot, so every event is read once). The API's routes,
 * authentication and JSON run in this process, the way a deployment serves them. The per-tenant request
 * limit (1,200 a minute) is lifted, so the time is the drain's own; `requests` tells how long the limit
 * would stretch it.
 */
export async function drainThroughApi(store: Store, feed: ChangeFeed, tenantId: string): Promise<ApiDrain> {
  const apiKeys = new ApiKeys(store);
  const { key } = await apiKeys.create(
    tenantId,
    { oid: "bench", name: "Benchmark" },
    { name: "Benchmark drain", scopes: ["directory:read", "events:read"] },
  );
  const app = createHttpApp({
    logger: pino({ level: "silent" }),
    checks: [],
    publicRoutes: [],
    authenticate: createAuthenticate({
      // Only the API key is ever presented: neither tokens nor sessions are asked.
      validator: new TokenValidator({ authorityHost: "http://127.0.0.1:9", audiences: [] }),
      sessions: { open: async () => undefined },
      policy: { adminAppRoles: [], readerAppRoles: [], adminDirectoryRoles: [] },
      apiKeys,
      perTenantPerMinute: Number.MAX_SAFE_INTEGER,
    }),
    apiRoutes: [eventsV1Routes(store, feed)],
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  let requests = 0;
  const get = async (path: string) => {
    requests++;
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  try {
    const started = Date.now();
    let objects = 0;
    let cursor: string | null = null;
    do {
      const page = await get(
        `/snapshot?limit=${SNAPSHOT_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      objects += (page.data as unknown[]).length;
      cursor = page.nextCursor as string | null;
    } while (cursor);
    const snapshotMs = Date.now() - started;
    let events = 0;
    for (let after = "0"; ; ) {
      const page = await get(`/events?after=${after}&limit=${EVENTS_PAGE}`);
      events += (page.data as unknown[]).length;
      after = page.nextCursor as string;
      if (!page.hasMore) break;
    }
    return { objects, events, requests, ms: Date.now() - started, snapshotMs };
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
