import { spawn } from "node:child_process";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBus } from "../../api/events.ts";
import type { TaskDoc } from "../../api/store/documents.ts";
import { SyncService } from "../../api/sync/service.ts";
import { DEMO_TENANT_ID } from "../../sim/index.ts";
import { ADMIN, generatedDemoTenant, SyncHarness } from "../support/sync-harness.ts";

const T = DEMO_TENANT_ID;
const LEASE_MS = 1500;

/**
 * A worker process is killed (SIGKILL) in the middle of a full sync of a few thousand users; another
 * instance takes the task over when its lease expires. The result must equal an uninterrupted run.
 */
describe("crash-safe resume", () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await SyncHarness.start(
      {
        latencyMs: 5,
        tenants: [generatedDemoTenant({ users: 2000, groups: 30, memberships: 4000, nestedGroups: 5 })],
      },
      { leaseMs: LEASE_MS, instanceId: "survivor" },
    );
  });
  afterAll(() => h?.close());

  it("a killed worker's task finishes elsewhere with the same directory and counters as an uninterrupted run", async () => {
    const settings = { deletionGuard: { enabled: false } };
    const reference = await h.connect(settings, "Reference");
    const uninterrupted = await h.run(reference);
    expect(uninterrupted.status).toBe("succeeded");

    const victim = await h.connect(settings, "Victim");
    const child = spawn(process.execPath, ["--import", "tsx", "dev/killable-sync-worker.ts"], {
      env: {
        ...process.env,
        COSMOS_ENDPOINT: h.stack.endpoint,
        COSMOS_KEY: h.stack.key,
        COSMOS_DATABASE: h.stack.database,
        SIM_URL: h.sim.url,
        MASTER_KEY: h.masterKey.toString("base64"),
        TENANT_ID: T,
        CONNECTION_ID: victim.id,
        LEASE_MS: String(LEASE_MS),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const taskId = await new Promise<string>((resolve, reject) => {
      child.stdout.once("data", (d) => resolve(String(d).trim()));
      child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
    });
    // Listened for now: a worker that ends by itself before the kill must not leave the test waiting.
    const exited = new Promise((r) => child.once("exit", r));
    // Kill it somewhere inside the write phase: after some users were written, before all were.
    const killAt = 300 + Math.floor(Math.random() * 1400);
    let seen: TaskDoc | undefined;
    for (let poll = 0; poll < 2000; poll++) {
      seen = await h.store.tasks.get(T, taskId);
      const ended = seen && !["queued", "running"].includes(seen.status);
      if ((seen?.progress.processed ?? 0) >= killAt || ended) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await exited;
    expect(seen?.status, "the worker was killed while the task was running").toBe("running");
    const written = await h.store.profiles.count(T, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: victim.id }],
    });
    expect(written).toBeLessThan(2000);

    // The survivor sees the task, waits for the dead worker's lease to expire, and takes it over.
    let resumed = 0;
    for (let attempt = 0; attempt < 100 && resumed === 0; attempt++) {
      resumed = await h.sync.resumeOrphans();
      if (resumed === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(resumed).toBe(1);
    await h.sync.idle();
    const finished = await h.store.tasks.require(T, taskId);
    expect(finished.status).toBe("succeeded");
    expect(finished.notes.some((n) => n.startsWith("Resumed by survivor"))).toBe(true);
    expect(finished.counters).toEqual(uninterrupted.counters);
    // The work done before the kill counts towards progress: the bar ends full, not at the survivor's part.
    expect(finished.progress.processed).toBe(finished.progress.total);

    const shape = async (connectionId: string) =>
      (
        await h.store.profiles.all(T, {
          where: "c.connectionId = @c",
          parameters: [{ name: "@c", value: connectionId }],
        })
      )
        .map((p) => `${p.sourceId}:${p.status}:${p.hash}`)
        .sort();
    expect(await shape(victim.id)).toEqual(await shape(reference.id));
    const edges = async (connectionId: string) =>
      (
        await h.store.memberships.all(T, {
          where: "c.connectionId = @c",
          parameters: [{ name: "@c", value: connectionId }],
        })
      )
        .map((e) => `${e.listSourceId}:${e.memberSourceId}`)
        .sort();
    expect(await edges(victim.id)).toEqual(await edges(reference.id));
  });
});

/**
 * An instance stops in the middle of the lists of a full sync (a shutdown hands the task back); a member
 * joins a list it had already written; another instance finishes the task without reading that list again.
 * The next incremental run must still bring the change: the task kept the delta links of its first attempt.
 */
describe("a full sync taken over in the middle of its lists", () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await SyncHarness.start({
      latencyMs: 0,
      tenants: [generatedDemoTenant({ users: 300, groups: 250, memberships: 1500 })],
    });
  });
  afterAll(() => h?.close());

  it("changes to lists written before the takeover are replayed by the next incremental run", async () => {
    const settings = { deletionGuard: { enabled: false } };
    const c = await h.connect(settings, "Interrupted");
    const first = new SyncService({
      store: h.store,
      events: new EventBus(h.store),
      logger: pino({ level: "silent" }),
      instanceId: "first",
      graphFor: async (connection) => h.credentials.graphFor(connection),
    });
    // The lists are written a hundred at a time: stop once the first hundred are written.
    const writeLists = h.store.lists.bulkUpsert.bind(h.store.lists);
    h.store.lists.bulkUpsert = async (docs) => {
      await writeLists(docs);
      void first.shutdown();
    };
    const started = await first.startTask(T, c.id, { type: "full", trigger: "api", requestedBy: ADMIN });
    if (!("task" in started)) throw new Error("already running");
    await first.idle();
    h.store.lists.bulkUpsert = writeLists;
    const handedBack = await h.store.tasks.require(T, started.task.id);
    expect(handedBack.status).toBe("queued");
    const written = (
      await h.store.lists.all(T, {
        where: "c.connectionId = @c AND c.lastTaskId = @t",
        parameters: [
          { name: "@c", value: c.id },
          { name: "@t", value: started.task.id },
        ],
      })
    ).filter((l) => (l.nestedGroupIds ?? []).length === 0);
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(250);

    // A synced user joins a list the first instance already wrote.
    const list = written[0] as (typeof written)[number];
    const members = new Set(
      (
        await h.store.memberships.all(T, {
          where: "c.listSourceId = @l",
          parameters: [{ name: "@l", value: list.sourceId }],
        })
      ).map((e) => e.memberSourceId),
    );
    const joiner = (await h.profiles(c)).find((p) => p.status === "active" && !members.has(p.sourceId));
    if (!joiner) throw new Error("no synced user outside the list");
    h.sim.directory.addMember(T, list.sourceId, joiner.sourceId);

    expect(await h.sync.resumeOrphans()).toBe(1);
    await h.sync.idle();
    expect((await h.store.tasks.require(T, started.task.id)).status).toBe("succeeded");
    const next = await h.run(c, "incremental");
    expect(next.status, JSON.stringify(next.error)).toBe("succeeded");

    const reference = await h.connect(settings, "Reference");
    await h.run(reference, "full");
    expect(await h.shape(c)).toEqual(await h.shape(reference));
  });
});
