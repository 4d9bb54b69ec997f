import { startLocalCosmos } from "../dev/local-cosmos.ts";
import { guidFrom } from "../sim/ids.ts";
import { generatedTenant, type RunningSimulator, startSimulator } from "../sim/index.ts";
import { ensureLocalCertificate } from "../sim/tls.ts";
import { applyChanges, type ChangeSummary } from "./changes.ts";
import { registerCustomerApp } from "./customer-app.ts";
import { type FullSyncBound, fullSyncBound } from "./lower-bound.ts";
import type { TenantSize } from "./sizes.ts";

/** Graph's budget for tenants over 500 users (resource units per app and tenant per 10 s). */
const LARGE_TENANT_BUDGET = 8000;

export interface StandinsSpec {
  size: TenantSize;
  latencyMs: number;
  seed?: number;
}

export interface StandinsInfo {
  simUrl: string;
  cosmosEndpoint: string;
  cosmosKey: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Whether the local Cosmos server's quadratic row collection was replaced (see dev/cosmos-query-patch.ts). */
  cosmosQueriesPatched: boolean;
}

/** What the simulator counted so far; the benchmark takes differences around each run. */
export interface SimCounts {
  /** Graph's own count: every batch part is a request, the $batch envelope is not; 429s included. */
  requests: number;
  byRoute: Record<string, number>;
  throttled: number;
  resourceUnits: number;
}

interface ProcessUsage {
  peakRssBytes: number;
  cpuMs: number;
}

/** The simulated tenant and the Cosmos-protocol server, whichever process they run in. */
export interface Standins {
  info: StandinsInfo;
  counts(): Promise<SimCounts>;
  lowerBound(): Promise<FullSyncBound>;
  changeOnePercent(): Promise<ChangeSummary>;
  /** Peak RSS since the last call and CPU time used since start, of the process serving the stand-ins. */
  usage(): Promise<ProcessUsage>;
  /** The simulator itself, when it runs in this process (the change-to-visible benchmark drives it). */
  simulator?: RunningSimulator;
  close(): Promise<void>;
}

/**
 * Starts the simulator with a generated tenant (throttling on at the large-tenant budget) and a local
 * Cosmos server, in this process. The tenant's own app registration holds the application permissions a
 * customer grants the product, so the connection authenticates exactly like a production one.
 */
export async function startStandins(spec: StandinsSpec): Promise<Standins> {
  const { size } = spec;
  const seed = spec.seed ?? 42;
  const tls = await ensureLocalCertificate(".local/tls");
  const tenant = generatedTenant({
    users: size.users,
    groups: size.groups,
    memberships: size.memberships,
    nestedGroups: size.nestedGroups,
    seed,
  });
  const app = {
    clientId: guidFrom(`bench-app:${seed}`),
    clientSecret: `bench-secret-${seed}`,
  };
  registerCustomerApp(tenant, app, "Directory sync benchmark");
  const sim = await startSimulator({
    tls: { cert: tls.cert, key: tls.key },
    tenants: [tenant],
    latencyMs: spec.latencyMs,
    throttling: { budgetPer10s: LARGE_TENANT_BUDGET },
  });
  const cosmos = await startLocalCosmos(tls);
  const cosmosQueriesPatched = cosmos.queriesPatched;
  const tenantId = tenant.tenantId;
  // The seed arrays now live (copied) in the simulator's state; drop the seed's copy.
  tenant.users.length = 0;
  tenant.memberships.length = 0;

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  sampler.unref();
  const cpuStart = process.cpuUsage();
  let changes = 0;

  return {
    info: {
      simUrl: sim.url,
      cosmosEndpoint: cosmos.endpoint,
      cosmosKey: cosmos.key,
      tenantId,
      ...app,
      cosmosQueriesPatched,
    },
    simulator: sim,
    async counts() {
      return {
        requests: sim.stats.totalRequests,
        byRoute: { ...sim.stats.requests },
        throttled: sim.stats.throttled,
        resourceUnits: sim.stats.resourceUnits,
      };
    },
    async lowerBound() {
      return fullSyncBound(sim.directory, tenantId);
    },
    async changeOnePercent() {
      changes++;
      return applyChanges(sim.directory, tenantId, 0.01, seed + changes);
    },
    async usage() {
      const cpu = process.cpuUsage(cpuStart);
      const result = {
        peakRssBytes: Math.max(peakRss, process.memoryUsage().rss),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      };
      peakRss = process.memoryUsage().rss;
      return result;
    },
    async close() {
      clearInterval(sampler);
      await sim.close();
      await cosmos.close();
    },
  };
}
