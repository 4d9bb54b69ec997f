import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicList, publicMembership, publicProfile } from "../../api/feed/public-shapes.ts";
import type { DirectoryEventDoc, TaskDoc } from "../../api/store/documents.ts";
import { profileId } from "../../api/sync/profiles.ts";
import { DEMO_TENANT_ID } from "../../sim/index.ts";
import { generatedDemoTenant, SyncHarness } from "../support/sync-harness.ts";

const T = DEMO_TENANT_ID;
const LEASE_MS = 1500;

/**
 * The change feed's promise under a crash: a worker killed in the middle of a full sync leaves, once another
 * instance finished the task, a feed holding every change that reached the directory, each once (by id), in
 * order; replaying it from the start gives exactly the directory.
 */
describe("change feed across a killed sync worker", () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await SyncHarness.start(
      {
        latencyMs: 5,
        tenants: [generatedDemoTenant({ users: 1500, groups: 30, memberships: 3000, nestedGroups: 5 })],
      },
      { leaseMs: LEASE_MS, instanceId: "survivor" },
    );
  });
  afterAll(() => h?.close());

  const replay = async () => {
    const events: DirectoryEventDoc[] = [];
    let after = 0;
    for (;;) {
      const page = await h.feed.read(T, { after, limit: 500 });
      events.push(...page.events);
      after = page.next;
      if (!page.hasMore) break;
    }
    const copy = new Map<string, unknown>();
    for (const e of events) {
      const key = `${e.object.kind}:${e.object.id}`;
      if (e.object.kind === "connection") continue;
      if (e.eventType.endsWith(".purged") || e.eventType === "membership.removed") copy.delete(key);
      else copy.set(key, e.data);
    }
    return { events, copy };
  };
  const directory = async () => {
    const out = new Map<string, unknown>();
    for (const p of await h.store.profiles.all(T)) out.set(`profile:${p.id}`, publicProfile(p));
    for (const l of await h.store.lists.all(T)) out.set(`list:${l.id}`, publicList(l));
    for (const m of await h.store.memberships.all(T))
      out.set(`membership:${m.id}`, publicMembership(m, profileId(m.connectionId, m.memberSourceId)));
    return out;
  };

  it("a full sync killed while writing, then taken over, leaves every change in the feed exactly once", async () => {
    const victim = await h.connect({ deletionGuard: { enabled: false } }, "Victim");
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
    // Somewhere in the users' writes. The whole run processes about 1,530 records (1,500 users, 30 lists):
    // a point past them could only be reached once the sync had finished, and the kill would find it done.
    const killAt = 200 + Math.floor(Math.random() * 1000);
    let seen: TaskDoc | undefined;
    for (let poll = 0; poll < 2000; poll++) {
      seen = await h.store.tasks.get(T, taskId);
      if ((seen?.progress.processed ?? 0) >= killAt || (seen && !["queued", "running"].includes(seen.status)))
        break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await exited;
    expect(seen?.status, "killed while running").toBe("running");
    // What a reader sees before the takeover: only settled blocks of the dead writer's events.
    const before = await replay();

    let resumed = 0;
    for (let attempt = 0; attempt < 100 && resumed === 0; attempt++) {
      resumed = await h.sync.resumeOrphans();
      if (resumed === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(resumed).toBe(1);
    await h.sync.idle();
    expect((await h.store.tasks.require(T, taskId)).status).toBe("succeeded");

    const { events, copy } = await replay();
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // The events seen before the takeover are all still there, unchanged: nothing a reader saw is retracted.
    const after = new Map(events.map((e) => [e.id, e.seq]));
    for (const e of before.events) expect(after.get(e.id)).toBe(e.seq);
    expect(before.events.length).toBeLessThanOrEqual(events.length);
    expect(events.filter((e) => e.eventType === "profile.created").length).toBe(
      await h.store.profiles.count(T, {
        where: "c.connectionId = @c",
        parameters: [{ name: "@c", value: victim.id }],
      }),
    );
    expect(copy).toEqual(await directory());
    expect((await h.feed.sequencer.state(T)).open).toEqual([]);

    // Later changes follow in the same order.
    const someone = h.sim.directory.listUsers(T)[5];
    if (!someone) throw new Error("no user");
    h.sim.directory.updateUser(T, someone.id, { jobTitle: "Resumed and renamed" });
    expect((await h.run(victim, "incremental")).status).toBe("succeeded");
    const later = await replay();
    expect(later.copy).toEqual(await directory());
    expect(later.events.at(-1)?.eventType).toBe("profile.updated");
  });
});
