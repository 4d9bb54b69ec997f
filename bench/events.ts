import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { LocalKeyWrapper, SecretBox } from "../api/auth/secrets.ts";
import type { ChangeFeed } from "../api/feed/change-feed.ts";
import { WebhookDispatcher } from "../api/webhooks/dispatcher.ts";
import { WebhookEndpoints } from "../api/webhooks/endpoints.ts";
import { type ApiDrain, drainThroughApi } from "./api-drain.ts";
import type { TenantSize } from "./sizes.ts";
import type { Standins, StandinsSpec } from "./standins.ts";
import { type BenchWorker, startWorker } from "./worker.ts";

export interface EventsBench {
  /** Wall time of the full sync, fastest of two runs each, with directory events off and on. */
  fullOffMs: number;
  fullOnMs: number;
  overhead: number;
  /** Cosmos requests and request units of one full sync each way (the local server charges no RU). */
  cosmos: Record<"off" | "on", { operations: number; requestUnits: number }>;
  /**
   * CPU time of the full sync each way (the sync's process plus the stand-ins' Cosmos server and Graph),
   * the lower of two runs: on a shared machine it varies far less than wall time.
   */
  cpuMs: Record<"off" | "on", number>;
  events: number;
  /** Paging the whole snapshot (profiles, lists, memberships) and then the feed from its start. */
  drain?: ApiDrain;
  /** Deliveries to a local receiver answering 204 at once. */
  webhooks?: { deliveries: number; ms: number; perSecond: number };
}

async function fullSync(
  worker: BenchWorker,
  standins: Standins,
): Promise<{ ms: number; cpuMs: number; operations: number; requestUnits: number }> {
  const before = worker.store.metrics.snapshot();
  const standinsCpu = (await standins.usage()).cpuMs;
  const cpu = process.cpuUsage();
  const started = Date.now();
  await worker.run("full");
  await worker.idle();
  const ms = Date.now() - started;
  const ownCpu = process.cpuUsage(cpu);
  const after = worker.store.metrics.snapshot();
  return {
    ms,
    cpuMs: Math.round((ownCpu.user + ownCpu.system) / 1000) + (await standins.usage()).cpuMs - standinsCpu,
    operations: after.operations - before.operations,
    requestUnits: Math.round(after.requestUnits - before.requestUnits),
  };
}

/**
 * What directory events cost and deliver, for one size: the full sync with events off and on (each into a
 * fresh database, alternating, the faster of two kept), the time to drain a snapshot and the feed through
 * /api/v1 as a new consumer would (bench/api-drain.ts), and webhook deliveries per second to a local receiver.
 */
export async function benchEvents(
  size: TenantSize,
  options: {
    latencyMs: number;
    startStandins: (spec: StandinsSpec) => Promise<Standins>;
    progress?: NodeJS.WriteStream;
    /** Only the full syncs: draining and delivering a large tenant's feed takes far longer than its sync. */
    syncOnly?: boolean;
  },
): Promise<EventsBench> {
  const standins = await options.startStandins({ size, latencyMs: options.latencyMs });
  const workers: BenchWorker[] = [];
  try {
    const times = { off: [] as number[], on: [] as number[] };
    const cosmos = {} as EventsBench["cosmos"];
    const cpuMs = { off: Number.POSITIVE_INFINITY, on: Number.POSITIVE_INFINITY };
    let measured: BenchWorker | undefined;
    for (const [i, mode] of (["off", "on", "off", "on"] as const).entries()) {
      options.progress?.write(`${size.name} events ${mode}: full sync ${i + 1}/4\n`);
      const worker = await startWorker(standins.info, `bench-${size.name}-events-${i}`, {
        events: mode === "on",
      });
      workers.push(worker);
      const { ms, cpuMs: cpu, ...cost } = await fullSync(worker, standins);
      times[mode].push(ms);
      cpuMs[mode] = Math.min(cpuMs[mode], cpu);
      cosmos[mode] = cost;
      if (mode === "on") measured = worker;
    }
    const fullOffMs = Math.min(...times.off);
    const fullOnMs = Math.min(...times.on);
    const sync = { fullOffMs, fullOnMs, overhead: fullOnMs / fullOffMs - 1, cosmos, cpuMs };
    const worker = measured as BenchWorker;
    const feed = worker.feed as ChangeFeed;
    const tenantId = standins.info.tenantId;
    if (options.syncOnly) return { ...sync, events: await feed.count(tenantId) };

    options.progress?.write(`${size.name} events: draining the snapshot and the feed through /api/v1\n`);
    const drain = await drainThroughApi(worker.store, feed, tenantId);

    options.progress?.write(`${size.name} events: webhook deliveries\n`);
    let received = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received++;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const endpoints = new WebhookEndpoints(
      worker.store,
      new SecretBox(new LocalKeyWrapper(randomBytes(32))),
      feed,
      { allowPrivate: true },
    );
    const { doc } = await endpoints.create(tenantId, { oid: "bench", name: "Benchmark" }, { url });
    await worker.store.webhookEndpoints.update(tenantId, doc.id, (c) => ({ ...c, cursor: 0 }));
    const dispatcher = new WebhookDispatcher(worker.store, feed, endpoints, undefined, {
      allowPrivate: true,
      owner: "bench",
      concurrency: 16,
    });
    const hooksStart = Date.now();
    while ((await dispatcher.tick()) > 0);
    const hooksMs = Date.now() - hooksStart;
    await new Promise((r) => server.close(r));

    return {
      ...sync,
      events: drain.events,
      drain,
      webhooks: { deliveries: received, ms: hooksMs, perSecond: received / Math.max(hooksMs / 1000, 0.001) },
    };
  } finally {
    for (const w of workers) await w.close();
    await standins.close();
  }
}

export function formatEvents(name: string, e: EventsBench): string {
  const s = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`);
  return [
    `${name} directory events: full sync ${s(e.fullOffMs)} off, ${s(e.fullOnMs)} on (${(e.overhead * 100).toFixed(1)}% overhead, target under 15%), ${e.events} events`,
    `${name} Cosmos requests per full sync: ${e.cosmos.off.operations} off, ${e.cosmos.on.operations} on (${e.cosmos.off.requestUnits} / ${e.cosmos.on.requestUnits} RU)`,
    `${name} CPU per full sync (sync + stand-ins): ${s(e.cpuMs.off)} off, ${s(e.cpuMs.on)} on (+${((e.cpuMs.on / e.cpuMs.off - 1) * 100).toFixed(0)}%)`,
    ...(e.drain
      ? [
          `${name} snapshot + feed drain through /api/v1: ${e.drain.objects} objects and ${e.drain.events} events in ${s(e.drain.ms)} (snapshot ${s(e.drain.snapshotMs)}), ${e.drain.requests} requests`,
        ]
      : []),
    ...(e.webhooks
      ? [
          `${name} webhooks: ${e.webhooks.deliveries} deliveries in ${s(e.webhooks.ms)} (${e.webhooks.perSecond.toFixed(0)}/s) to a local receiver`,
        ]
      : []),
  ].join("\n");
}
