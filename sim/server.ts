import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import express from "express";
import { mountAdmin } from "./admin/http.ts";
import { PRODUCT_APP, PUBLISHER_TENANT_ID } from "./constants.ts";
import { SimDirectory } from "./directory/directory.ts";
import { mountGraph } from "./graph/http.ts";
import { GraphService } from "./graph/service.ts";
import { Throttler } from "./graph/throttle.ts";
import { signingKey } from "./identity/keys.ts";
import { mountMetadata } from "./identity/metadata.ts";
import { mountPages } from "./identity/pages.ts";
import { tokenEndpoint } from "./identity/token-endpoint.ts";
import { GrantStore } from "./identity/tokens.ts";
import { demoTenant, PRODUCT_DELEGATED_PERMISSIONS } from "./seed/demo.ts";
import { createStats, type SimStats } from "./stats.ts";
import type { SimApp, TenantSeed } from "./types.ts";

export interface SimulatorOptions {
  tls: { cert: string; key: string };
  /** 0 = a random free port (default). */
  port?: number;
  /** Added to every Graph and identity response ($batch: once per batch). */
  latencyMs?: number;
  /** Graph's identity and access throttling; off by default. */
  throttling?: boolean | { budgetPer10s?: number };
  tenants?: TenantSeed[];
  /** Milliseconds since the epoch; drives token, secret and delta-link expiry. */
  clock?: () => number;
}

export interface RunningSimulator {
  /** Both the authority host and the Graph base URL (the Graph client appends /v1.0). */
  url: string;
  directory: SimDirectory;
  stats: SimStats;
  close(): Promise<void>;
}

function productApp(): SimApp {
  return {
    clientId: PRODUCT_APP.clientId,
    displayName: PRODUCT_APP.displayName,
    homeTenantId: PUBLISHER_TENANT_ID,
    multiTenant: true,
    secrets: [{ value: PRODUCT_APP.clientSecret, expiresAt: Date.UTC(2099, 0, 1) }],
    requiredApplicationPermissions: [],
    requiredDelegatedPermissions: [...PRODUCT_DELEGATED_PERMISSIONS],
    // As appPackage/aad.manifest.json defines them.
    appRoles: [
      "DirectorySync.Admin",
      "DirectorySync.Reader",
      "DirectorySync.Directory.Read",
      "DirectorySync.Events.Read",
      "DirectorySync.Webhooks.Manage",
    ],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const clock = options.clock ?? Date.now;
  const directory = new SimDirectory(options.tenants ?? [demoTenant()], productApp(), clock);
  const stats = createStats();
  const throttling = options.throttling;
  const throttler = throttling
    ? new Throttler(clock, typeof throttling === "object" ? throttling.budgetPer10s : undefined)
    : undefined;
  const graph = new GraphService(directory, stats, throttler);
  const grants = new GrantStore();
  await signingKey();

  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  const latency = options.latencyMs ?? 0;
  app.use(async (req, _res, next) => {
    if (latency > 0 && !req.path.startsWith("/_sim")) await sleep(latency);
    next();
  });
  mountAdmin(app, directory, stats);
  mountGraph(app, directory, graph, stats);
  mountMetadata(app, directory);
  app.post(
    "/:tenant/oauth2/v2.0/token",
    express.urlencoded({ extended: false }),
    (req, _res, next) => {
      const grant = String(req.body?.grant_type ?? "none");
      stats.tokenRequests[grant] = (stats.tokenRequests[grant] ?? 0) + 1;
      next();
    },
    tokenEndpoint(directory, grants),
  );
  mountPages(app, directory, grants);
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).json({ error: { code: "NotFound", message: "Not served by the simulator." } });
  });

  const server = createServer({ cert: options.tls.cert, key: options.tls.key }, app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "localhost", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://localhost:${port}`;
  directory.baseUrl = url;
  return {
    url,
    directory,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        directory.subscriptions.close();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
