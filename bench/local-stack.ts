import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CosmosClient } from "@azure/cosmos";
import type { RunningApi } from "../api/app/start.ts";
import { ensureDatabase } from "../api/store/cosmos.ts";
import type { TaskDoc } from "../api/store/documents.ts";
import { loadSnapshot, saveSnapshot } from "../dev/cosmos-snapshot.ts";
import { startLocalCosmos } from "../dev/local-cosmos.ts";
import { ensureLocalCertificate } from "../sim/tls.ts";
import { connectStandinsTenant, startBenchApi } from "./bench-api.ts";
import { formatCount, formatDuration } from "./format.ts";
import type { TenantSize } from "./sizes.ts";
import { startStandins } from "./standins.ts";
import { measureTabPages, type TabLatency } from "./tab-pages.ts";

/**
 * The local stack (`npm start`: the local Cosmos server, the simulator and the API in one process) with a
 * synced tenant: how long each tab's pages take, and how long a restart takes to load the saved data back.
 */
interface LocalStackResult {
  size: TenantSize;
  fullSyncMs: number;
  documents: number;
  tabs: TabLatency[];
  saveMs: number;
  restoreMs: number;
  /** Request units per page the store recorded (the local server reports 1 per request). */
  notes: string[];
}

/** The targets for the local stack at 100k users. */
const TAB_PAGE_TARGET_MS = 1000;
const RESTART_TARGET_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchLocalStack(
  size: TenantSize,
  options: { progress?: NodeJS.WriteStream } = {},
): Promise<LocalStackResult> {
  const log = (line: string) => options.progress?.write(`${size.name} local stack: ${line}\n`);
  const standins = await startStandins({ size, latencyMs: 0 });
  const sim = standins.simulator;
  if (!sim) throw new Error("the local stack benchmark needs the simulator in this process");
  const { info } = standins;
  const database = `bench-local-${size.name}`;
  // Its own local Cosmos server, as `npm start` runs one, so the restart can use its documents directly.
  const tls = await ensureLocalCertificate(".local/tls");
  const cosmos = await startLocalCosmos(tls);
  const folder = mkdtempSync(join(tmpdir(), "bench-local-"));
  let api: RunningApi | undefined;
  try {
    const started = await startBenchApi(
      sim,
      info,
      { endpoint: cosmos.endpoint, key: cosmos.key, database },
      { rejectErrors: true },
    );
    api = started.api;
    const running = api;
    const { call } = started;
    const connection = await connectStandinsTenant(call, info);
    log("full sync");
    const fullStart = Date.now();
    const full = await call(`/api/connections/${connection.id}/tasks`, {
      method: "POST",
      json: { type: "full" },
    });
    for (;;) {
      // The sync keeps this process busy: a poll that loses its connection is simply asked again.
      const task = (await call(`/api/tasks/${full.id}`).catch(() => ({
        status: "running",
      }))) as unknown as TaskDoc;
      if (task.status === "succeeded") break;
      if (task.status !== "queued" && task.status !== "running")
        throw new Error(`the full sync ${task.status}`);
      await sleep(500);
    }
    const fullSyncMs = Date.now() - fullStart;

    log("tab pages");
    const before = running.store.metrics.snapshot();
    const tabs = await measureTabPages(call, String(full.id));
    const after = running.store.metrics.snapshot();
    const calls = tabs.reduce((n, t) => n + t.calls, 0);
    const notes = [
      `store: ${after.operations - before.operations} operations for ${calls} tab pages, ${Math.round(((after.requestUnits - before.requestUnits) / calls) * 100) / 100} RU a page as the local server reports it (1 per request)`,
    ];

    log("saving and restoring the local data");
    const file = join(folder, "cosmos-snapshot.jsonl");
    const saveStart = performance.now();
    const documents = await saveSnapshot(cosmos.documents, database, file);
    const saveMs = performance.now() - saveStart;
    await api.close();
    api = undefined;

    // What `npm start` does with saved data: a new local server, the containers, then the documents.
    const restoreStart = performance.now();
    const restarted = await startLocalCosmos(tls);
    const client = new CosmosClient({
      endpoint: restarted.endpoint,
      key: restarted.key,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    try {
      await ensureDatabase(client, database);
      const restored = await loadSnapshot(restarted.documents, database, file);
      const restoreMs = performance.now() - restoreStart;
      if (restored !== documents) notes.push(`restored ${restored} of ${documents} documents`);
      return { size, fullSyncMs, documents, tabs, saveMs, restoreMs, notes };
    } finally {
      client.dispose();
      await restarted.close();
    }
  } finally {
    await api?.close();
    await cosmos.close();
    await standins.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

export function formatLocalStack(r: LocalStackResult): string {
  const verdict = (ms: number, target: number) => (ms <= target ? "met" : "MISSED");
  const lines = [
    `Local stack, ${r.size.name} users (${formatCount(r.documents)} documents; full sync ${formatDuration(r.fullSyncMs)})`,
    `| tab | calls | p50 | max | target ${formatDuration(TAB_PAGE_TARGET_MS)} | slowest call |`,
    "|---|---|---|---|---|---|",
    ...r.tabs.map(
      (t) =>
        `| ${t.tab} | ${t.calls} | ${formatDuration(t.p50Ms)} | ${formatDuration(t.maxMs)} | ${verdict(t.maxMs, TAB_PAGE_TARGET_MS)} | ${t.slowest} |`,
    ),
    `| restart: load saved data | 1 | ${formatDuration(r.restoreMs)} | ${formatDuration(r.restoreMs)} | ${verdict(r.restoreMs, RESTART_TARGET_MS)} (target ${formatDuration(RESTART_TARGET_MS)}) | |`,
    `| save (every 30 s while running) | 1 | ${formatDuration(r.saveMs)} | ${formatDuration(r.saveMs)} | | |`,
    ...r.notes.map((n) => `Note: ${n}`),
  ];
  return lines.join("\n");
}
