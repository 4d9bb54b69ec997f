import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT_ID } from "../../sim/index.ts";
import { SyncHarness } from "../support/sync-harness.ts";

const ROOMS = [
  "Conf Room Adams",
  "Conf Room Baker",
  "Conf Room Crystal",
  "Conf Room Hood",
  "Conf Room Rainier",
  "Conf Room Stevens",
];

describe("full sync of the demo tenant (32 real demo users plus awkward cases)", () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await SyncHarness.start();
  });
  afterAll(() => h?.close());

  it("creates a profile per person and explains every user it skipped", async () => {
    const connection = await h.connect();
    const task = await h.run(connection);
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");

    const profiles = await h.profiles(connection);
    const records = await h.records(task);
    const skipped = Object.fromEntries(
      records.filter((r) => r.kind === "user" && r.action === "skipped").map((r) => [r.name, r.reason]),
    );
    expect(Object.keys(skipped).sort()).toEqual(
      [
        ...ROOMS,
        "Support shared mailbox",
        "Ana Bowman (Fabrikam)",
        "Kai Nakamura (Northwind)",
        "Taylor Reed",
        "Taylor Reed (Contractor)",
      ].sort(),
    );
    for (const room of ROOMS)
      expect(skipped[room]).toBe("resource account (room or shared mailbox: no first or last name)");
    expect(skipped["Ana Bowman (Fabrikam)"]).toBe("guest account, and guests are excluded");
    expect(skipped["Taylor Reed"]).toBe(
      "email taylorr@m365x214355.onmicrosoft.com is also used by Taylor Reed (Contractor); both are skipped until one changes",
    );

    expect(profiles).toHaveLength(29);
    expect(task.counters.users).toEqual({
      processed: 40,
      created: 29,
      updated: 0,
      unchanged: 0,
      deactivated: 0,
      deleted: 0,
      restored: 0,
      skipped: 11,
      errors: 0,
    });
    const byName = (name: string) => profiles.find((p) => p.displayName === name);
    // No mail: the primary SMTP proxy address, then otherMails.
    expect(byName("Rowan Price")?.fields.email).toBe("rowan.price@contoso.com");
    expect(byName("Quinn Harper")?.fields.email).toBe("quinn.harper@outlook.com");
    expect(byName("Jordan Ellis")?.status).toBe("inactive");
    expect(byName("Sam Okafor")?.status).toBe("inactive");
    expect(byName("Adele Vance")).toMatchObject({
      status: "active",
      source: "entra",
      fields: {
        firstName: "Adele",
        lastName: "Vance",
        email: "AdeleV@M365x214355.onmicrosoft.com",
        jobTitle: "Product Marketing Manager",
        department: "Marketing",
      },
    });

    const lists = await h.store.lists.all(DEMO_TENANT_ID, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: connection.id }],
    });
    const members = Object.fromEntries(lists.map((l) => [l.name, l.memberCount]));
    // Nested: Sales Team holds Sales EMEA; only synced profiles are members (duplicates were skipped).
    expect(members["Sales EMEA"]).toBe(3);
    expect(members["Sales Team"]).toBe(5);
    expect(members["Conference Rooms"]).toBe(0);
    expect(members["Project Phoenix"]).toBe(0);
    expect(task.counters.lists.created).toBe(11);
  });

  it("writes nothing when nothing changed", async () => {
    const connection = await h.connect({}, "Second connection");
    await h.run(connection);
    const before = await h.profiles(connection);
    const task = await h.run(connection);
    expect(task.status).toBe("succeeded");
    expect(task.counters.users).toMatchObject({ unchanged: 29, created: 0, updated: 0, skipped: 11 });
    expect(task.counters.lists).toMatchObject({ unchanged: 11, created: 0, updated: 0 });
    const after = await h.profiles(connection);
    expect(after.map((p) => p._etag)).toEqual(before.map((p) => p._etag));
  });

  it("a preview records what would happen and writes no profile or list", async () => {
    const connection = await h.connect({}, "Preview only");
    const task = await h.run(connection, "preview");
    expect(task.status).toBe("succeeded");
    expect(task.counters.users.created).toBe(29);
    expect(await h.profiles(connection)).toHaveLength(0);
    expect(
      await h.store.lists.count(DEMO_TENANT_ID, {
        where: "c.connectionId = @c",
        parameters: [{ name: "@c", value: connection.id }],
      }),
    ).toBe(0);
    expect((await h.records(task)).filter((r) => r.action === "created")).toHaveLength(29 + 11);
  });

  it("announces the result as an event", async () => {
    const connection = await h.connect({ what: "users" }, "Events");
    const task = await h.run(connection);
    const event = h.events.find((e) => e.taskId === task.id);
    expect(event?.kind).toBe("sync-finished");
    expect(event?.summary).toBe("Sync of Events succeeded: users 29 created, 11 skipped; lists no changes");
  });
});
