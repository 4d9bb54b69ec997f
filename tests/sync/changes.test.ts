import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TaskDoc } from "../../api/store/documents.ts";
import { StoreError } from "../../api/store/errors.ts";
import { DEMO_TENANT_ID } from "../../sim/index.ts";
import { SyncHarness } from "../support/sync-harness.ts";

const T = DEMO_TENANT_ID;

describe("syncing again after the tenant changed", () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
  });
  afterEach(() => h?.close());

  const group = (name: string) => {
    const g = h.sim.directory.listGroups(T).find((x) => x.displayName === name);
    if (!g) throw new Error(`no group ${name}`);
    return g;
  };
  const user = (name: string) => {
    const u = h.sim.directory.listUsers(T).find((x) => x.displayName === name);
    if (!u) throw new Error(`no user ${name}`);
    return u;
  };

  it("updates a changed user with the changed fields, deactivates a disabled one", async () => {
    const connection = await h.connect({ what: "users" });
    await h.run(connection);
    h.sim.directory.updateUser(T, user("Adele Vance").id, { jobTitle: "Head of Marketing" });
    h.sim.directory.disableUser(T, user("Alex Wilber").id);
    const task = await h.run(connection);
    expect(task.counters.users).toMatchObject({
      updated: 1,
      deactivated: 1,
      unchanged: 27,
      created: 0,
      deleted: 0,
    });
    const records = await h.records(task);
    expect(records.find((r) => r.name === "Adele Vance")).toMatchObject({
      action: "updated",
      changedFields: ["jobTitle"],
      // The old and new value, not only the field's name.
      changes: { jobTitle: { from: "Product Marketing Manager", to: "Head of Marketing" } },
    });
    expect(records.find((r) => r.name === "Alex Wilber")).toMatchObject({
      action: "deactivated",
      reason: "account disabled in Entra ID",
    });
    const profiles = await h.profiles(connection);
    expect(profiles.find((p) => p.displayName === "Adele Vance")?.fields.jobTitle).toBe("Head of Marketing");
    expect(profiles.find((p) => p.displayName === "Alex Wilber")?.status).toBe("inactive");
  });

  it("mirror: a user moved out of the group scope is soft-deleted, and restored when moved back", async () => {
    const sales = group("Sales Team");
    const connection = await h.connect({
      what: "users",
      users: { scope: "groups", groupIds: [sales.id] },
      deletionGuard: { maxPercent: 50 },
    });
    const first = await h.run(connection);
    expect((await h.profiles(connection)).map((p) => p.displayName)).toEqual([
      "Ben Walters",
      "Brian Johnson (TAILSPIN)",
      "Christie Cline",
      "Irvin Sayers",
      "Jordan Ellis",
    ]);
    expect(first.counters.users).toMatchObject({ created: 5, skipped: 2 });

    const emea = group("Sales EMEA");
    h.sim.directory.removeMember(T, emea.id, user("Irvin Sayers").id);
    const second = await h.run(connection);
    expect(second.counters.users).toMatchObject({ deleted: 1, unchanged: 4 });
    const irvin = (await h.profiles(connection)).find((p) => p.displayName === "Irvin Sayers");
    expect(irvin).toMatchObject({ status: "deleted" });
    expect(Date.parse(irvin?.purgeAfter ?? "") - Date.parse(irvin?.deletedAt ?? "")).toBe(30 * 86400_000);
    expect((await h.records(second)).find((r) => r.name === "Irvin Sayers")?.reason).toBe(
      "still in Entra ID, but no longer a member of the selected groups",
    );

    h.sim.directory.addMember(T, emea.id, user("Irvin Sayers").id);
    const third = await h.run(connection);
    expect(third.counters.users).toMatchObject({ restored: 1, unchanged: 4 });
    expect((await h.profiles(connection)).find((p) => p.displayName === "Irvin Sayers")?.status).toBe(
      "active",
    );
  });

  it("deletion guard: a run that would delete too much halts, deletes nothing, and deletes after confirmation", async () => {
    const connection = await h.connect({ deletionGuard: { maxCount: 3, maxPercent: 50 } });
    await h.run(connection);
    const leavers = ["Adele Vance", "Alex Wilber", "Allan Deyoung", "Ben Walters"];
    const adele = user("Adele Vance").id;
    for (const name of leavers) h.sim.directory.softDeleteUser(T, user(name).id);
    const halted = await h.run(connection);
    expect(halted.status).toBe("halted");
    expect(halted.halt).toMatchObject({ wouldDelete: 4, wouldDeactivate: 0 });
    expect([...(halted.halt?.sample ?? [])].sort()).toEqual(leavers);
    expect((await h.profiles(connection)).filter((p) => p.status === "deleted")).toHaveLength(0);
    const pending = (await h.records(halted)).filter((r) => r.action === "pending-delete");
    expect(pending).toHaveLength(4);
    // Each says which reason applies, and keeps the UPN the profile had (the CSV's UPN column).
    expect(new Set(pending.map((r) => r.reason))).toEqual(
      new Set(["deleted in Entra ID; waiting for an admin to confirm"]),
    );
    expect(pending.map((r) => r.upn?.split("@")[0]).sort()).toEqual(["adelev", "alexw", "alland", "benw"]);
    // Held back means untouched: they are still members of their lists until the confirmation.
    const marketingMembers = async () =>
      (
        await h.store.memberships.all(T, {
          where: "c.connectionId = @c AND c.listSourceId = @l",
          parameters: [
            { name: "@c", value: connection.id },
            { name: "@l", value: group("Marketing").id },
          ],
        })
      ).map((e) => e.memberSourceId);
    expect(await marketingMembers()).toContain(adele);
    expect(h.events.find((e) => e.taskId === halted.id)?.kind).toBe("sync-halted");

    await h.sync.confirmTask(T, halted.id, { oid: "admin", name: "MOD Administrator" });
    await h.sync.idle();
    const confirmed = await h.store.tasks.require(T, halted.id);
    expect(confirmed.status).toBe("succeeded");
    expect(confirmed.counters.users).toMatchObject({ deleted: 4, unchanged: 25, created: 0 });
    expect(
      (await h.profiles(connection))
        .filter((p) => p.status === "deleted")
        .map((p) => p.displayName)
        .sort(),
    ).toEqual(leavers);
    expect(await marketingMembers()).not.toContain(adele);
  });

  it("a preview reports what the deletion guard would hold back, and never halts", async () => {
    const connection = await h.connect({ what: "users", deletionGuard: { maxCount: 1, maxPercent: 5 } });
    await h.run(connection);
    for (const name of ["Adele Vance", "Alex Wilber"]) h.sim.directory.softDeleteUser(T, user(name).id);
    const preview = await h.run(connection, "preview");
    expect(preview.status).toBe("succeeded");
    expect(preview.counters.users.deleted).toBe(2);
    expect((await h.profiles(connection)).filter((p) => p.status === "deleted")).toHaveLength(0);
  });

  it("a user Graph returns in a shape the product cannot read is reported, not deleted", async () => {
    const connection = await h.connect({ what: "users", deletionGuard: { maxPercent: 50 } });
    await h.run(connection);
    h.sim.directory.updateUser(T, user("Adele Vance").id, { accountEnabled: "sometimes" } as never);
    const task = await h.run(connection);
    expect(task.status).toBe("succeeded");
    expect(task.counters.users).toMatchObject({ errors: 1, deleted: 0 });
    expect((await h.records(task)).find((r) => r.sourceId === user("Adele Vance").id)?.action).toBe("error");
    expect((await h.profiles(connection)).find((p) => p.displayName === "Adele Vance")?.status).toBe(
      "active",
    );
  });

  it("an auth failure in the middle of the read deletes nothing and fails with a remedy", async () => {
    const connection = await h.connect({ users: { scope: "groups", groupIds: [group("All Staff").id] } });
    await h.run(connection);
    h.sim.directory.softDeleteUser(T, user("Adele Vance").id);
    h.sim.directory.injectFault({
      pathPattern: "/transitiveMembers",
      status: 401,
      code: "InvalidAuthenticationToken",
      // Twice: a refused token is replaced and the call tried once more, so only a lasting refusal is a loss.
      times: 2,
    });
    const task = await h.run(connection);
    expect(task.status).toBe("failed");
    expect(task.error?.code).toBe("auth-lost");
    expect(task.error?.remedy).toMatch(/Reauthorize/);
    expect((await h.profiles(connection)).filter((p) => p.status === "deleted")).toHaveLength(0);
    expect(h.events.find((e) => e.taskId === task.id)?.kind).toBe("sync-failed");
  });

  it("a database that stays unreachable fails the run with a remedy, not as an unexpected error, and deletes nothing", async () => {
    const connection = await h.connect({ what: "users" });
    await h.run(connection);
    h.sim.directory.updateUser(T, user("Adele Vance").id, { jobTitle: "Head of Marketing" });
    h.sim.directory.hardDeleteUser(T, user("Alex Wilber").id);
    const profiles = h.store.profiles;
    const upsert = profiles.bulkUpsert.bind(profiles);
    profiles.bulkUpsert = async () => {
      throw new StoreError("The database is busy or unreachable right now", "unavailable");
    };
    const task = await h.run(connection).finally(() => {
      profiles.bulkUpsert = upsert;
    });
    expect(task.status).toBe("failed");
    expect(task.error?.code).toBe("store-unavailable");
    expect(task.error?.remedy).toMatch(/^Retry in a few minutes/);
    expect((await h.profiles(connection)).filter((p) => p.status === "deleted")).toHaveLength(0);
  });

  it("throttling that never stops fails the run as throttled and deletes nothing", async () => {
    const connection = await h.connect({ what: "users" });
    await h.run(connection);
    h.sim.directory.hardDeleteUser(T, user("Adele Vance").id);
    h.sim.directory.injectFault({
      pathPattern: "^/v1.0/users",
      status: 429,
      code: "TooManyRequests",
      retryAfterSeconds: 0,
      times: 50,
    });
    const task = await h.run(connection);
    expect(task.status).toBe("failed");
    expect(task.error?.code).toBe("throttled");
    expect((await h.profiles(connection)).filter((p) => p.status === "deleted")).toHaveLength(0);
  });

  it("a throttled run says so while it waits, and keeps a note of it", async () => {
    const connection = await h.connect({ what: "users" });
    h.sim.directory.injectFault({
      pathPattern: "^/v1.0/users",
      status: 429,
      code: "TooManyRequests",
      retryAfterSeconds: 2,
      times: 1,
    });
    const started = await h.sync.startTask(T, connection.id, {
      type: "full",
      trigger: "api",
      requestedBy: { oid: "admin", name: "MOD Administrator" },
    });
    if (!("task" in started)) throw new Error("already running");
    // What the tab polls while the run waits out Graph's Retry-After.
    let seen: TaskDoc | undefined;
    for (let i = 0; i < 60 && !seen; i++) {
      const now = await h.store.tasks.require(T, started.task.id);
      if (now.throttle && now.status === "running") seen = now;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen?.throttle?.count).toBe(1);
    expect(seen?.progress.processed).toBe(0);
    await h.sync.idle();
    const done = await h.store.tasks.require(T, started.task.id);
    expect(done.status).toBe("succeeded");
    expect(done.notes).toContain(
      "Microsoft Graph throttled this sync 1 time (429 Too Many Requests); it waited each time as Graph asked and went on.",
    );
  });

  it("a whitelisted group that no longer exists fails the run before anything is written, naming it", async () => {
    const gone = group("Project Phoenix");
    const connection = await h.connect({ lists: { scope: "ids", groupIds: [gone.id, group("Legal").id] } });
    h.sim.directory.hardDeleteGroup(T, gone.id);
    const task = await h.run(connection);
    expect(task.status).toBe("failed");
    expect(task.error).toMatchObject({ code: "not-found" });
    expect(task.error?.message).toBe(
      `Group ${gone.id} (in the list whitelist) no longer exists in Entra ID.`,
    );
    expect(await h.profiles(connection)).toHaveLength(0);
  });

  it("photo changes, which user delta never reports, are found by media ETag and only those photos are downloaded", async () => {
    const c = await h.connect({ what: "users", photos: true });
    expect((await h.run(c)).status).toBe("succeeded");
    const profileOf = async (sourceId: string) => (await h.profiles(c)).find((p) => p.sourceId === sourceId);
    const photoOf = async (sourceId: string) => (await profileOf(sourceId))?.photo;
    const synced = new Set((await h.profiles(c)).map((p) => p.sourceId));
    const users = h.sim.directory.listUsers(T).filter((u) => synced.has(u.id));
    const [replaced, removed] = users.filter((u) => u.hasPhoto);
    const added = users.find((u) => !u.hasPhoto);
    if (!replaced || !removed || !added)
      throw new Error("the demo tenant needs users with and without photos");
    const before = await photoOf(replaced.id);
    expect(before?.etag).toMatch(/^W\//);
    h.sim.directory.setPhoto(T, replaced.id, "new");
    h.sim.directory.setPhoto(T, removed.id, "none");
    h.sim.directory.setPhoto(T, added.id, "new");

    const downloads = () => h.sim.stats.requests["GET /users/{id}/photo/$value"] ?? 0;
    const downloadsBefore = downloads();
    const task = await h.run(c);
    expect(task.status).toBe("succeeded");
    // One download each for the replaced and the added photo; none for the photos that stayed the same.
    expect(downloads() - downloadsBefore).toBe(2);
    const photoRecords = (await h.records(task)).filter((r) => r.changedFields?.includes("photo"));
    expect(photoRecords.map((r) => r.name).sort()).toEqual(
      [replaced.displayName, removed.displayName, added.displayName].sort(),
    );
    expect(task.counters.users.updated).toBe(3);

    const after = await photoOf(replaced.id);
    expect(after?.hash).not.toBe(before?.hash);
    const stored = await h.store.photos.get(T, `photo.${(await profileOf(replaced.id))?.id}`);
    expect(stored?.hash).toBe(after?.hash);
    expect(await photoOf(removed.id)).toBeUndefined();
    const removedId = (await profileOf(removed.id))?.id;
    expect(await h.store.photos.get(T, `photo.${removedId}`)).toBeUndefined();
    expect((await photoOf(added.id))?.etag).toBeDefined();

    // Nothing changed since: no downloads, no writes.
    const quietBefore = downloads();
    const quiet = await h.run(c);
    expect(quiet.counters.users.updated).toBe(0);
    expect(downloads() - quietBefore).toBe(0);
  });
});
