import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ORDINARY_USER_ID, DEMO_TENANT_ID, type RunningSimulator } from "../../sim/index.ts";
import { appToken, graph, startTestSimulator, walk } from "./helpers.ts";

let sim: RunningSimulator;
let token: string;
let now = Date.UTC(2025, 0, 6, 9);
const page10 = { Prefer: "odata.maxpagesize=10" };
const group = (name: string) =>
  sim.directory.listGroups(DEMO_TENANT_ID).find((g) => g.displayName === name)?.id as string;

beforeAll(async () => {
  sim = await startTestSimulator({ clock: () => now });
  token = await appToken(sim);
});
afterAll(() => sim.close());

async function round(link: string) {
  const { items, pages, last } = await walk(sim, token, link, page10);
  expect(last["@odata.nextLink"]).toBeUndefined();
  return { items, pages, deltaLink: last["@odata.deltaLink"] as string };
}

describe("users/delta", () => {
  it("returns everything first, then only what changed, then nothing", async () => {
    const first = await round("/users/delta?$select=displayName,jobTitle,accountEnabled");
    const total = sim.directory.listUsers(DEMO_TENANT_ID).length;
    expect(first.items).toHaveLength(total);
    expect(first.pages).toBe(Math.ceil(total / 10));
    expect(first.deltaLink).toContain("$deltatoken=");

    const added = sim.directory.addUser(DEMO_TENANT_ID, {
      displayName: "New Starter",
      givenName: "New",
      surname: "Starter",
    });
    sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { jobTitle: "Head of Marketing" });
    sim.directory.updateUser(DEMO_TENANT_ID, "AlexW@M365x214355.onmicrosoft.com", {
      mobilePhone: "+1 555 0100",
    });
    sim.directory.softDeleteUser(DEMO_TENANT_ID, "LeeG@M365x214355.onmicrosoft.com");
    const megan = "48d31887-5fad-4d73-a9f5-3c356e68a038";
    sim.directory.hardDeleteUser(DEMO_TENANT_ID, megan);

    const second = await round(first.deltaLink);
    const byId = new Map(second.items.map((i) => [i.id, i]));
    expect(byId.get(added.id)).toMatchObject({ displayName: "New Starter" });
    expect(byId.get(DEMO_ORDINARY_USER_ID)).toMatchObject({ jobTitle: "Head of Marketing" });
    // Alex changed only an unselected property, so Graph does not report him.
    expect(byId.has("4782e723-f4f4-4af3-a76e-25e3bab0d896")).toBe(false);
    expect(byId.get("074e56ea-0b50-4461-89e5-c67ae14a2c0b")).toEqual({
      id: "074e56ea-0b50-4461-89e5-c67ae14a2c0b",
      "@removed": { reason: "changed" },
    });
    expect(byId.get(megan)).toEqual({ id: megan, "@removed": { reason: "deleted" } });
    expect(second.items).toHaveLength(4);

    const third = await graph(sim, token, second.deltaLink);
    expect(third.body.value).toEqual([]);
    expect(third.body["@odata.deltaLink"]).toBeTruthy();

    sim.directory.restoreUser(DEMO_TENANT_ID, "074e56ea-0b50-4461-89e5-c67ae14a2c0b");
    const fourth = await round(third.body["@odata.deltaLink"]);
    expect(fourth.items.map((i) => i.displayName)).toEqual(["Lee Gu"]);
  });

  it("supports $deltatoken=latest and $filter on ids", async () => {
    const latest = await graph(sim, token, "/users/delta?$deltatoken=latest");
    expect(latest.body.value).toEqual([]);
    sim.directory.updateUser(DEMO_TENANT_ID, DEMO_ORDINARY_USER_ID, { displayName: "Adele V." });
    const after = await round(latest.body["@odata.deltaLink"]);
    expect(after.items.map((i) => i.id)).toEqual([DEMO_ORDINARY_USER_ID]);

    const filtered = await round(
      `/users/delta?$filter=${encodeURIComponent(`id eq '${DEMO_ORDINARY_USER_ID}' or id eq '4782e723-f4f4-4af3-a76e-25e3bab0d896'`)}`,
    );
    expect(filtered.items.map((i) => i.id).sort()).toEqual([
      "4782e723-f4f4-4af3-a76e-25e3bab0d896",
      DEMO_ORDINARY_USER_ID,
    ]);
    sim.directory.updateUser(DEMO_TENANT_ID, "BenW@M365x214355.onmicrosoft.com", { jobTitle: "Untracked" });
    expect((await round(filtered.deltaLink)).items).toEqual([]);
  });

  it("serves every page of a round from the round's start, so changes during it move no one", async () => {
    const before = sim.directory.listUsers(DEMO_TENANT_ID).map((u) => u.id);
    const first = await graph(sim, token, "/users/delta?$select=displayName", { headers: page10 });
    const served = first.body.value.map((i: { id: string }) => i.id);
    const leaver = served[0] as string;
    sim.directory.softDeleteUser(DEMO_TENANT_ID, leaver);
    const joiner = sim.directory.addUser(DEMO_TENANT_ID, { displayName: "Mid Round", givenName: "Mid" });
    const rest = await walk(sim, token, first.body["@odata.nextLink"], page10);
    const ids = [...served, ...rest.items.map((i) => i.id)];
    // Nobody was skipped when the leaver left the tenant after the first page; the joiner is news for the
    // next round, as are the leaver's removal.
    expect(ids).toEqual(before);
    const next = await round(rest.last["@odata.deltaLink"] as string);
    expect(next.items.map((i) => i.id).sort()).toEqual([joiner.id, leaver].sort());
    sim.directory.restoreUser(DEMO_TENANT_ID, leaver);
    sim.directory.hardDeleteUser(DEMO_TENANT_ID, joiner.id);
  });

  it("pages a round of changes from the round's start too", async () => {
    const { deltaLink } = await round("/users/delta?$deltatoken=latest&$select=jobTitle");
    const users = sim.directory.listUsers(DEMO_TENANT_ID).slice(0, 15);
    for (const u of users) sim.directory.updateUser(DEMO_TENANT_ID, u.id, { jobTitle: "Round one" });
    const first = await graph(sim, token, deltaLink, { headers: page10 });
    // A change made while the round is read belongs to the next round, even for an object not yet served.
    const late = users[12]?.id as string;
    sim.directory.updateUser(DEMO_TENANT_ID, late, { jobTitle: "Round two" });
    const rest = await walk(sim, token, first.body["@odata.nextLink"], page10);
    const items = [...first.body.value, ...rest.items];
    expect(items.map((i) => i.id)).toEqual(users.map((u) => u.id));
    expect(items.map((i) => i.jobTitle)).toEqual(users.map(() => "Round one"));
    const next = await round(rest.last["@odata.deltaLink"] as string);
    expect(next.items).toEqual([{ id: late, jobTitle: "Round two" }]);
  });

  it("answers syncStateNotFound for delta links older than seven days", async () => {
    const { deltaLink } = await round("/users/delta?$deltatoken=latest");
    now += 7 * 24 * 3600 * 1000 + 1000;
    token = await appToken(sim);
    const res = await graph(sim, token, deltaLink);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("syncStateNotFound");
  });
});

describe("groups/delta", () => {
  it("reports members@delta for added and removed members, and removed groups", async () => {
    const first = await round("/groups/delta?$select=displayName,description");
    const sales = first.items.find((g) => g.displayName === "Sales Team") as Record<string, unknown>;
    expect(sales["members@delta"]).toEqual(
      expect.arrayContaining([{ "@odata.type": "#microsoft.graph.group", id: group("Sales EMEA") }]),
    );

    sim.directory.addMember(DEMO_TENANT_ID, group("Project Phoenix"), DEMO_ORDINARY_USER_ID);
    sim.directory.removeMember(DEMO_TENANT_ID, group("Sales Team"), group("Sales EMEA"));
    const legal = group("Legal");
    sim.directory.hardDeleteGroup(DEMO_TENANT_ID, legal);
    const finance = group("Finance");
    sim.directory.softDeleteGroup(DEMO_TENANT_ID, finance);

    const second = await round(first.deltaLink);
    const byId = new Map(second.items.map((i) => [i.id, i]));
    expect(byId.get(group("Project Phoenix"))?.["members@delta"]).toEqual([
      { "@odata.type": "#microsoft.graph.user", id: DEMO_ORDINARY_USER_ID },
    ]);
    expect(byId.get(group("Sales Team"))?.["members@delta"]).toEqual([
      { "@odata.type": "#microsoft.graph.group", id: group("Sales EMEA"), "@removed": { reason: "deleted" } },
    ]);
    expect(byId.get(legal)).toEqual({ id: legal, "@removed": { reason: "deleted" } });
    expect(byId.get(finance)).toEqual({ id: finance, "@removed": { reason: "changed" } });
  });
});
