import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID } from "../../sim/index.ts";
import { SyncHarness } from "../support/sync-harness.ts";

const T = DEMO_TENANT_ID;
const names = (docs: { displayName: string }[]) => docs.map((d) => d.displayName).sort();

/** Each option as a connection setting, against the unchanged demo tenant. */
describe("sync options", () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await SyncHarness.start();
  });
  afterAll(() => h?.close());
  const group = (name: string) =>
    h.sim.directory.listGroups(T).find((g) => g.displayName === name)?.id as string;
  const listNames = async (connectionId: string) =>
    (
      await h.store.lists.all(T, {
        where: "c.connectionId = @c",
        parameters: [{ name: "@c", value: connectionId }],
      })
    )
      .filter((l) => l.status !== "deleted")
      .map((l) => l.name)
      .sort();

  it("email whitelist: only the listed people, matched case-insensitively on mail or UPN", async () => {
    const c = await h.connect({
      what: "users",
      users: {
        scope: "emails",
        emails: ["adelev@m365x214355.onmicrosoft.com", "ROWANP@M365x214355.onmicrosoft.com"],
      },
    });
    expect((await h.run(c)).status).toBe("succeeded");
    expect(names(await h.profiles(c))).toEqual(["Adele Vance", "Rowan Price"]);
  });

  it("OData user filter is passed to Graph", async () => {
    const c = await h.connect({ what: "users", users: { filter: "department eq 'Legal'" } });
    expect((await h.run(c)).status).toBe("succeeded");
    expect(names(await h.profiles(c))).toEqual(["Enrico Cattaneo", "Grady Archie", "Joni Sherman"]);
  });

  it("client-side rules include and exclude", async () => {
    const c = await h.connect({
      what: "users",
      users: {
        rules: [
          { attribute: "department", operator: "equals", value: "marketing", effect: "include" },
          { attribute: "city", operator: "startsWith", value: "Lon", effect: "exclude" },
        ],
      },
    });
    const task = await h.run(c);
    expect(names(await h.profiles(c))).toEqual([
      "Adele Vance",
      "Alex Wilber",
      "Isaiah Langer",
      "Miriam Graham",
    ]);
    const henrietta = (await h.records(task)).find((r) => r.name === "Henrietta Mueller");
    expect(henrietta?.reason).toBe('excluded by the rule city startsWith "Lon"');
  });

  it("members of an administrative unit", async () => {
    const [au] = h.sim.directory.tenant(T).adminUnits.keys();
    const c = await h.connect({
      what: "users",
      users: { scope: "administrativeUnits", administrativeUnitIds: [au as string] },
    });
    expect((await h.run(c)).status).toBe("succeeded");
    const profiles = await h.profiles(c);
    expect(profiles.length).toBeGreaterThan(5);
    expect(profiles.every((p) => p.fields.city === "Redmond")).toBe(true);
  });

  it("guests included, disabled accounts left out", async () => {
    const c = await h.connect({ what: "users", users: { guests: "include", disabled: "exclude" } });
    const task = await h.run(c);
    const profiles = names(await h.profiles(c));
    expect(profiles).toContain("Ana Bowman (Fabrikam)");
    expect(profiles).not.toContain("Jordan Ellis");
    expect((await h.records(task)).find((r) => r.name === "Jordan Ellis")?.reason).toBe(
      "account is disabled, and disabled accounts are left out",
    );
  });

  it("group display-name prefix for lists", async () => {
    const c = await h.connect({ what: "lists", lists: { namePrefix: "sales" } });
    expect((await h.run(c)).status).toBe("succeeded");
    expect(await listNames(c.id)).toEqual(["Sales EMEA", "Sales Team"]);
  });

  it("lists only with whitelisted groups deletes nothing; without a whitelist it mirrors", async () => {
    const c = await h.connect({
      what: "lists",
      lists: { scope: "ids", groupIds: [group("Legal"), group("Finance")] },
      deletionGuard: { maxPercent: 100 },
    });
    await h.run(c);
    expect(await listNames(c.id)).toEqual(["Finance", "Legal"]);
    await h.updateSettings(c, {
      what: "lists",
      lists: { scope: "ids", groupIds: [group("Legal")] },
      deletionGuard: { maxPercent: 100 },
    });
    await h.run(c);
    expect(await listNames(c.id)).toEqual(["Finance", "Legal"]);
    await h.updateSettings(c, {
      what: "lists",
      lists: { namePrefix: "Leg" },
      deletionGuard: { maxPercent: 100 },
    });
    const mirrored = await h.run(c);
    expect(await listNames(c.id)).toEqual(["Legal"]);
    expect(mirrored.counters.lists.deleted).toBe(1);
  });

  it("a list leaving the scope is deleted together with its member edges", async () => {
    const c = await h.connect({ lists: { namePrefix: "Fin" }, deletionGuard: { maxPercent: 100 } });
    await h.run(c);
    const edges = () =>
      h.store.memberships.count(T, {
        where: "c.connectionId = @c AND c.listSourceId = @l",
        parameters: [
          { name: "@c", value: c.id },
          { name: "@l", value: group("Finance") },
        ],
      });
    expect(await edges()).toBe(4);
    await h.updateSettings(c, { lists: { namePrefix: "Leg" }, deletionGuard: { maxPercent: 100 } });
    const task = await h.run(c);
    expect(task.counters.lists).toMatchObject({ deleted: 1, created: 1 });
    expect(await edges()).toBe(0);
    expect(await listNames(c.id)).toEqual(["Legal"]);
  });

  it("update-only matches existing profiles by email or UPN and creates nothing", async () => {
    const now = new Date().toISOString();
    const manual = (id: string, email: string, name: string) => ({
      id,
      tenantId: T,
      type: "profile" as const,
      connectionId: "manual",
      sourceId: id,
      source: "manual" as const,
      status: "active" as const,
      fields: { email },
      attributes: {},
      emailKey: email.toLowerCase(),
      displayName: name,
      hash: "manual",
      lastTaskId: "none",
      createdAt: now,
      updatedAt: now,
    });
    await h.store.profiles.create(
      manual(randomUUID(), "AdeleV@M365x214355.onmicrosoft.com", "Adele (manual)"),
    );
    await h.store.profiles.create(manual(randomUUID(), "rowan.price@contoso.com", "Rowan (manual)"));
    const c = await h.connect({ what: "users", updateOnly: true });
    const task = await h.run(c);
    expect(task.counters.users).toMatchObject({ created: 0, updated: 2 });
    expect(names(await h.profiles(c))).toEqual(["Adele Vance", "Rowan Price"]);
    const records = await h.records(task);
    expect(records.find((r) => r.name === "Alex Wilber")?.reason).toBe(
      "update-only: no existing profile has this email or UPN",
    );
  });

  it("email fallbacks can be switched off: a user with only a proxy address is then skipped", async () => {
    const c = await h.connect({ what: "users", email: { proxyAddresses: false } });
    const task = await h.run(c);
    expect((await h.records(task)).find((r) => r.name === "Rowan Price")).toMatchObject({
      action: "skipped",
      reason:
        "missing required email (mail, proxyAddresses, otherMails or UPN as allowed by the email settings)",
    });
  });

  it("a run in which every user is skipped fails and says why", async () => {
    const c = await h.connect({
      what: "users",
      required: ["sourceId", "faxNumber"],
      mapping: [{ source: "faxNumber", target: "field:faxNumber" }],
    });
    const task = await h.run(c);
    expect(task.status).toBe("failed");
    expect(task.error?.code).toBe("all-skipped");
    expect(task.error?.message).toMatch(/^All 40 users in scope were skipped, so nothing was synced \(/);
    expect(await h.profiles(c)).toHaveLength(0);
  });

  it("extension attributes map to defined custom attributes; undefined ones are reported and ignored", async () => {
    await h.store.attributeDefinitions.create({
      id: "costCenter",
      tenantId: T,
      type: "attributeDefinition",
      name: "costCenter",
      label: "Cost center",
      valueType: "string",
      createdAt: new Date().toISOString(),
    });
    const ext = `extension_${DEMO_CUSTOMER_APP.clientId.replaceAll("-", "")}_costCenter`;
    const c = await h.connect({
      what: "users",
      mapping: [
        { source: "givenName", target: "field:firstName" },
        { source: "surname", target: "field:lastName" },
        { source: ext, target: "attribute:costCenter" },
        { source: "onPremisesExtensionAttributes.extensionAttribute1", target: "attribute:legacyCode" },
      ],
    });
    const task = await h.run(c);
    expect(task.notes).toContain(
      'onPremisesExtensionAttributes.extensionAttribute1 is mapped to custom attribute "legacyCode", which is not defined; it was ignored. Define the attribute to sync it.',
    );
    const adele = (await h.profiles(c)).find((p) => p.displayName === "Adele Vance");
    expect(adele?.attributes).toEqual({ costCenter: expect.stringMatching(/^CC-\d+$/) });
  });

  it("photos are fetched for new users and stored outside the profile", async () => {
    const c = await h.connect({ what: "users", photos: true });
    await h.run(c);
    const withPhoto = (await h.profiles(c)).filter((p) => p.photo);
    expect(withPhoto.length).toBeGreaterThan(0);
    const photo = await h.store.photos.get(T, `photo.${withPhoto[0]?.id}`);
    expect(photo?.hash).toBe(withPhoto[0]?.photo?.hash);
    expect(Buffer.from(photo?.data ?? "", "base64").length).toBeGreaterThan(10);
  });
});
