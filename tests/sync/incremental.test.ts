import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConnectionDoc } from "../../api/store/documents.ts";
import { StoreError } from "../../api/store/errors.ts";
import { DEMO_TENANT_ID } from "../../sim/index.ts";
import { SyncHarness } from "../support/sync-harness.ts";

const T = DEMO_TENANT_ID;

describe("incremental sync with Graph delta queries", () => {
  let h: SyncHarness;
  beforeEach(async () => {
    h = await SyncHarness.start();
  });
  afterEach(() => h?.close());

  const user = (name: string) => {
    const u = h.sim.directory.listUsers(T).find((x) => x.displayName === name);
    if (!u) throw new Error(`no user ${name}`);
    return u;
  };
  const group = (name: string) => {
    const g = h.sim.directory.listGroups(T).find((x) => x.displayName === name);
    if (!g) throw new Error(`no group ${name}`);
    return g;
  };
  const etags = async (c: ConnectionDoc) => {
    const lists = await h.store.lists.all(T, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: c.id }],
    });
    return [...(await h.profiles(c)), ...lists].map((d) => `${d.id}:${d._etag}`).sort();
  };

  it("the first run is full and says why; an unchanged tenant then costs one request per resource and no writes", async () => {
    const c = await h.connect({ deletionGuard: { maxPercent: 50 } });
    const first = await h.run(c, "incremental");
    expect(first.status).toBe("succeeded");
    expect(first.notes).toContain(
      "Ran a full sync instead of an incremental one: no earlier full sync holds a delta link.",
    );
    expect(first.counters.users.created).toBe(29);

    const before = await etags(c);
    const quiet = await h.run(c, "incremental");
    expect(quiet.status).toBe("succeeded");
    expect(quiet.notes).toEqual(["Nothing changed in Entra ID since the last sync."]);
    expect(quiet.graphRequests).toBe(2);
    expect(quiet.counters.users.processed + quiet.counters.lists.processed).toBe(0);
    expect(await etags(c)).toEqual(before);
  });

  it("applies changed, disabled, deleted and new users, and reaches every list that nests a changed group", async () => {
    const c = await h.connect({ deletionGuard: { maxPercent: 50 } });
    await h.run(c, "full");
    const listCount = async (name: string) =>
      (
        await h.store.lists.all(T, {
          where: "c.connectionId = @c AND c.name = @n",
          parameters: [
            { name: "@c", value: c.id },
            { name: "@n", value: name },
          ],
        })
      )[0]?.memberCount;
    expect(await listCount("Sales EMEA")).toBe(3);
    expect(await listCount("Sales Team")).toBe(5);

    h.sim.directory.updateUser(T, user("Adele Vance").id, { jobTitle: "Head of Marketing" });
    h.sim.directory.disableUser(T, user("Alex Wilber").id);
    h.sim.directory.softDeleteUser(T, user("Allan Deyoung").id);
    const pat = h.sim.directory.addUser(T, {
      displayName: "Pat Lee",
      givenName: "Pat",
      surname: "Lee",
      mail: "PatL@M365x214355.onmicrosoft.com",
      userPrincipalName: "PatL@M365x214355.onmicrosoft.com",
    });
    h.sim.directory.addMember(T, group("Sales EMEA").id, pat.id);
    h.sim.directory.removeMember(T, group("Sales EMEA").id, user("Irvin Sayers").id);

    const task = await h.run(c, "incremental");
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    expect(task.notes).toEqual([]);
    expect(task.counters.users).toMatchObject({
      created: 1,
      updated: 1,
      deactivated: 1,
      deleted: 1,
      skipped: 0,
    });
    const records = await h.records(task);
    expect(records.find((r) => r.name === "Allan Deyoung")?.reason).toBe(
      "deleted in Entra ID (restorable there from deleted items)",
    );
    expect(records.find((r) => r.name === "Adele Vance")?.changedFields).toEqual(["jobTitle"]);
    // Pat joined and Irvin left Sales EMEA, which Sales Team and All Staff hold.
    expect(await listCount("Sales EMEA")).toBe(3);
    const emea = (
      await h.store.memberships.all(T, {
        where: "c.connectionId = @c AND c.listSourceId = @l",
        parameters: [
          { name: "@c", value: c.id },
          { name: "@l", value: group("Sales EMEA").id },
        ],
      })
    ).map((e) => e.memberSourceId);
    expect(emea).toContain(pat.id);
    expect(emea).not.toContain(user("Irvin Sayers").id);
    expect(await listCount("Sales Team")).toBe(5);
    // Users delta, groups delta, the new user's groups (one batch), and the two lists that nest Sales EMEA
    // read again (their properties and members, one batch each); Sales EMEA itself changes from delta alone.
    expect(task.graphRequests).toBe(5);

    // The same end state as a full sync of the changed tenant: profiles, lists (counts and hashes, whose
    // member digests were updated from the changes alone) and edges.
    const full = await h.connect({ deletionGuard: { maxPercent: 50 } }, "Reference");
    await h.run(full, "full");
    expect(await h.shape(c)).toEqual(await h.shape(full));
  });

  it("member writes a failed run left unfinished are finished by the next run, and a replay counts nothing twice", async () => {
    const c = await h.connect({ deletionGuard: { maxPercent: 50 } });
    await h.run(c, "full");
    const emea = group("Sales EMEA").id;
    h.sim.directory.addMember(T, emea, user("Adele Vance").id);
    h.sim.directory.removeMember(T, emea, user("Irvin Sayers").id);

    // Cosmos fails once, after the list was written with its pending member changes, before its edges.
    const edges = h.store.memberships;
    const upsert = edges.bulkUpsert.bind(edges);
    let failures = 0;
    edges.bulkUpsert = async (docs) => {
      if (docs.length > 0 && failures++ === 0)
        throw new StoreError("the database is unavailable", "unavailable");
      return upsert(docs);
    };
    const failed = await h.run(c, "incremental");
    edges.bulkUpsert = upsert;
    expect(failed.status).toBe("failed");
    const interrupted = await h.store.lists.require(T, `${c.id}.${emea}`);
    expect(interrupted.pendingMembers?.add).toEqual([user("Adele Vance").id]);
    expect(interrupted.pendingMembers?.remove).toEqual([user("Irvin Sayers").id]);

    // The next run reads the same changes again (the failed run saved no delta link) and ends consistent.
    const links = await h.store.syncState.all(T, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: c.id }],
    });
    const next = await h.run(c, "incremental");
    expect(next.status, JSON.stringify(next.error)).toBe("succeeded");
    const finished = (await h.records(next)).find((r) => r.sourceId === emea);
    expect(finished?.reason).toBe("members: finished 2 changes an interrupted run left unwritten");
    const reference = await h.connect({ deletionGuard: { maxPercent: 50 } }, "Reference");
    await h.run(reference, "full");
    expect(await h.shape(c)).toEqual(await h.shape(reference));

    // Another replay of already applied changes writes nothing.
    await h.store.syncState.bulkUpsert(links);
    const replay = await h.run(c, "incremental");
    expect(replay.status).toBe("succeeded");
    expect(replay.counters.lists.updated).toBe(0);
    expect(await h.shape(c)).toEqual(await h.shape(reference));
  });

  it("a profile adopted by update-only matching keeps its id and is found by incremental runs, marked or not", async () => {
    const now = new Date().toISOString();
    const manualId = randomUUID();
    await h.store.profiles.create({
      id: manualId,
      tenantId: T,
      type: "profile",
      connectionId: "manual",
      sourceId: manualId,
      source: "manual",
      status: "active",
      fields: { email: "AdeleV@M365x214355.onmicrosoft.com" },
      attributes: {},
      emailKey: "adelev@m365x214355.onmicrosoft.com",
      displayName: "Adele (manual)",
      hash: "manual",
      lastTaskId: "none",
      createdAt: now,
      updatedAt: now,
    });
    const c = await h.connect({ what: "users", updateOnly: true });
    await h.run(c, "full");
    const adopted = await h.store.profiles.require(T, manualId);
    expect(adopted).toMatchObject({ sourceId: user("Adele Vance").id, connectionId: c.id, adopted: true });

    const adele = async () => (await h.profiles(c)).filter((p) => p.sourceId === user("Adele Vance").id);
    h.sim.directory.updateUser(T, user("Adele Vance").id, { jobTitle: "Head of Marketing" });
    const first = await h.run(c, "incremental");
    expect(first.counters.users).toMatchObject({ created: 0, updated: 1 });
    expect((await adele()).map((p) => [p.id, p.fields.jobTitle])).toEqual([[manualId, "Head of Marketing"]]);

    // Adopted before profiles were marked, and the connection no longer update-only: the next full sync
    // marks it, and incremental runs still update it in place instead of creating a second profile.
    await h.store.profiles.update(T, manualId, ({ adopted: _mark, ...doc }) => doc);
    const open = await h.updateSettings(c, { what: "users" });
    await h.run(open, "full");
    expect((await h.store.profiles.require(T, manualId)).adopted).toBe(true);
    h.sim.directory.updateUser(T, user("Adele Vance").id, { jobTitle: "Chief Marketing Officer" });
    const second = await h.run(open, "incremental");
    expect(second.counters.users).toMatchObject({ created: 0, updated: 1 });
    expect((await adele()).map((p) => [p.id, p.fields.jobTitle])).toEqual([
      [manualId, "Chief Marketing Officer"],
    ]);
  });

  it("group scope: a user removed from a selected group leaves, one added arrives", async () => {
    const c = await h.connect({
      what: "users",
      users: { scope: "groups", groupIds: [group("Sales Team").id] },
      deletionGuard: { maxPercent: 50 },
    });
    await h.run(c, "full");
    h.sim.directory.removeMember(T, group("Sales EMEA").id, user("Irvin Sayers").id);
    h.sim.directory.addMember(T, group("Sales EMEA").id, user("Adele Vance").id);
    const task = await h.run(c, "incremental");
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    expect(task.counters.users).toMatchObject({ created: 1, deleted: 1 });
    const live = (await h.profiles(c)).filter((p) => p.status !== "deleted").map((p) => p.displayName);
    expect(live).toContain("Adele Vance");
    expect(live).not.toContain("Irvin Sayers");
  });

  it("an expired delta link turns the run into a full sync by itself and says so", async () => {
    const c = await h.connect();
    await h.run(c, "full");
    h.sim.directory.injectFault({
      pathPattern: "/users/delta",
      status: 400,
      code: "syncStateNotFound",
      times: 1,
    });
    const task = await h.run(c, "incremental");
    expect(task.status).toBe("succeeded");
    expect(task.notes).toContain(
      "Ran a full sync instead of an incremental one: the delta link expired (Graph answered syncStateNotFound).",
    );
    expect(task.counters.users.unchanged).toBe(29);
  });

  it("directory data stored in an older form is brought up to date by a full run first", async () => {
    const c = await h.connect();
    await h.run(c, "full");
    const states = await h.store.syncState.all(T, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: c.id }],
    });
    await h.store.syncState.bulkUpsert(states.map(({ storedFormat: _older, ...state }) => state));
    const task = await h.run(c, "incremental");
    expect(task.notes).toContain(
      "Ran a full sync instead of an incremental one: this version of the product stores the directory in a newer form.",
    );
    expect((await h.run(c, "incremental")).notes).toEqual([
      "Nothing changed in Entra ID since the last sync.",
    ]);
  });

  it("a scope or mapping change forces a full run", async () => {
    const c = await h.connect();
    await h.run(c, "full");
    const changed = await h.updateSettings(c, { users: { guests: "include" } });
    const task = await h.run(changed, "incremental");
    expect(task.notes).toContain(
      "Ran a full sync instead of an incremental one: the scope or mapping changed since the last full sync.",
    );
    expect(task.counters.users.created).toBe(2);
  });
});
