import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_USER_ADMIN_USER_ID,
  demoTenant,
  generatedTenant,
  ROLE_TEMPLATES,
} from "../../sim/index.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/graph/${name}`, import.meta.url));
const local = (name: string) => fileURLToPath(new URL(`../../sim/seed/${name}`, import.meta.url));

describe("demo tenant seed", () => {
  it("keeps a verbatim copy of the fixture and its licence", () => {
    for (const name of ["demo-tenant-users.json", "LICENSE-graph-mocks.txt"]) {
      expect(readFileSync(local(name)).equals(readFileSync(fixture(name))), name).toBe(true);
    }
  });

  it("is deterministic and holds the awkward cases a sync must handle", () => {
    const seed = demoTenant();
    expect(JSON.stringify(demoTenant())).toBe(JSON.stringify(seed));
    const users = seed.users;
    expect(
      users.filter((u) => u.userType === "Guest").every((u) => u.userPrincipalName.includes("#EXT#")),
    ).toBe(true);
    expect(users.filter((u) => u.userType === "Guest")).toHaveLength(2);
    expect(users.filter((u) => !u.accountEnabled)).toHaveLength(2);
    expect(users.some((u) => !u.mail && u.proxyAddresses.some((p) => p.startsWith("SMTP:")))).toBe(true);
    expect(users.some((u) => !u.mail && u.proxyAddresses.length === 0 && u.otherMails.length > 0)).toBe(true);
    const mails = users.map((u) => u.mail).filter(Boolean);
    expect(new Set(mails).size).toBeLessThan(mails.length);
    const rooms = users.filter((u) => u.displayName?.startsWith("Conf Room"));
    expect(rooms.every((u) => u.givenName === null && u.surname === null)).toBe(true);
    expect(users.some((u) => u.hasPhoto)).toBe(true);
    expect(seed.roleAssignments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          principalId: DEMO_ADMIN_USER_ID,
          roleDefinitionId: ROLE_TEMPLATES.globalAdministrator,
        }),
        expect.objectContaining({
          principalId: DEMO_USER_ADMIN_USER_ID,
          roleDefinitionId: ROLE_TEMPLATES.userAdministrator,
        }),
      ]),
    );
    const id = (name: string) => seed.groups.find((g) => g.displayName === name)?.id;
    expect(seed.memberships).toContainEqual([id("All Staff"), id("Sales Team")]);
    expect(seed.memberships).toContainEqual([id("Sales Team"), id("Sales EMEA")]);
    expect(seed.administrativeUnits).toHaveLength(1);
  });
});

describe("generated tenants", () => {
  it("produce the requested counts, deterministically, with acyclic nesting", () => {
    const opts = { users: 2000, groups: 100, memberships: 5000, nestedGroups: 30, seed: 42 };
    const a = generatedTenant(opts);
    const b = generatedTenant(opts);
    expect(a.users).toHaveLength(2000);
    expect(a.groups).toHaveLength(100);
    expect(a.memberships).toHaveLength(5030);
    expect(new Set(a.memberships.map(([g, m]) => `${g}/${m}`)).size).toBe(5030);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(generatedTenant({ ...opts, seed: 43 }).users[0]?.id).not.toBe(a.users[0]?.id);
    const index = new Map(a.groups.map((g, i) => [g.id, i]));
    for (const [parent, member] of a.memberships) {
      const child = index.get(member);
      if (child !== undefined) expect(child).toBeGreaterThan(index.get(parent) as number);
    }
  });

  it("builds the benchmark-size tenant", () => {
    const big = generatedTenant({
      users: 100_000,
      groups: 5_000,
      memberships: 250_000,
      nestedGroups: 500,
      seed: 1,
    });
    expect(big.users).toHaveLength(100_000);
    expect(big.memberships).toHaveLength(250_500);
  });
});
