import { guidFrom, prng } from "../ids.ts";
import type { SimGroup, SimUser, TenantSeed } from "../types.ts";
import { makeGroup, makeUser } from "./factory.ts";

export interface GeneratedTenantOptions {
  users: number;
  groups: number;
  /** Direct user-to-group memberships, spread over the groups. */
  memberships: number;
  /** Group-in-group edges (always acyclic). */
  nestedGroups?: number;
  seed?: number;
  tenantId?: string;
}

const GIVEN = [
  "Alex",
  "Sam",
  "Jordan",
  "Taylor",
  "Morgan",
  "Casey",
  "Riley",
  "Jamie",
  "Avery",
  "Quinn",
  "Noah",
  "Emma",
  "Liam",
  "Olivia",
  "Mia",
  "Lucas",
  "Sofia",
  "Ethan",
  "Amara",
  "Chen",
  "Priya",
  "Mateo",
  "Yuki",
  "Fatima",
  "Lars",
  "Ines",
  "Kofi",
  "Elena",
  "Omar",
  "Hana",
];
const FAMILY = [
  "Smith",
  "Garcia",
  "Müller",
  "Nguyen",
  "Okafor",
  "Rossi",
  "Kowalski",
  "Tanaka",
  "Silva",
  "Johansson",
  "Dubois",
  "Patel",
  "Kim",
  "Novak",
  "O'Brien",
  "Haddad",
  "Jensen",
  "Moreau",
  "Costa",
  "Ivanova",
];
const DEPARTMENTS = ["Sales", "Marketing", "Finance", "Legal", "Engineering", "Operations", "Support", "HR"];
const TITLES = [
  "Specialist",
  "Manager",
  "Analyst",
  "Engineer",
  "Coordinator",
  "Director",
  "Associate",
  "Lead",
];
const CITIES: [string, string, string][] = [
  ["Redmond", "United States", "US"],
  ["London", "United Kingdom", "GB"],
  ["Munich", "Germany", "DE"],
  ["Paris", "France", "FR"],
  ["Tokyo", "Japan", "JP"],
];

function pick<T>(list: readonly T[], r: () => number): T {
  return list[Math.floor(r() * list.length)] as T;
}

/**
 * A large deterministic tenant for benchmarks and isolation tests: same options, same tenant, every run.
 * Memberships are drawn without duplicates; nested edges only point from a lower to a higher group index.
 */
export function generatedTenant(opts: GeneratedTenantOptions): TenantSeed {
  const seed = opts.seed ?? 1;
  const r = prng(seed);
  const tenantId = opts.tenantId ?? guidFrom(`generated-tenant:${seed}`);
  const domain = `gen${seed}.onmicrosoft.com`;
  const users: SimUser[] = new Array(opts.users);
  for (let i = 0; i < opts.users; i++) {
    const given = pick(GIVEN, r);
    const family = pick(FAMILY, r);
    const [city, country, usage] = pick(CITIES, r);
    const alias = `${given}.${family}${i}`.toLowerCase().replace(/[^a-z0-9.]/g, "");
    const upn = `${alias}@${domain}`;
    const guest = i % 97 === 96;
    users[i] = makeUser({
      id: guidFrom(`${tenantId}:user:${i}`),
      displayName: `${given} ${family}`,
      givenName: given,
      surname: family,
      mail: i % 53 === 52 ? null : guest ? `${alias}@partner.example` : upn,
      userPrincipalName: guest ? `${alias}_partner.example#EXT#@${domain}` : upn,
      userType: guest ? "Guest" : "Member",
      creationType: guest ? "Invitation" : null,
      accountEnabled: i % 41 !== 40,
      jobTitle: `${pick(TITLES, r)}`,
      department: pick(DEPARTMENTS, r),
      companyName: "Generated Corp",
      city,
      country,
      usageLocation: usage,
      employeeId: String(200000 + i),
      businessPhones: [`+1 555 ${String(1000 + (i % 9000)).padStart(4, "0")}`],
      createdDateTime: new Date(Date.UTC(2022, 0, 1) + i * 60_000).toISOString().replace(".000", ""),
      hasPhoto: i % 5 === 0,
    });
  }
  const groups: SimGroup[] = new Array(opts.groups);
  for (let g = 0; g < opts.groups; g++) {
    const dept = DEPARTMENTS[g % DEPARTMENTS.length] as string;
    groups[g] = makeGroup({
      id: guidFrom(`${tenantId}:group:${g}`),
      displayName: `${dept} Team ${g}`,
      description: `Generated group ${g}`,
      mail: g % 3 === 0 ? `team${g}@${domain}` : null,
      groupTypes: g % 3 === 0 ? ["Unified"] : [],
      createdDateTime: new Date(Date.UTC(2022, 0, 1) + g * 3_600_000).toISOString().replace(".000", ""),
    });
  }
  const memberships: [string, string][] = [];
  if (opts.groups > 0 && opts.users > 0) {
    const total = Math.min(opts.memberships, opts.users * opts.groups);
    const seen = new Set<number>();
    while (memberships.length < total) {
      const g = Math.floor(r() * opts.groups);
      const u = Math.floor(r() * opts.users);
      const key = g * opts.users + u;
      if (seen.has(key)) continue;
      seen.add(key);
      memberships.push([(groups[g] as SimGroup).id, (users[u] as SimUser).id]);
    }
  }
  const nested = Math.min(opts.nestedGroups ?? 0, Math.max(0, opts.groups - 1));
  const edges = new Set<string>();
  while (edges.size < nested) {
    const parent = Math.floor(r() * (opts.groups - 1));
    const child = parent + 1 + Math.floor(r() * (opts.groups - parent - 1));
    const key = `${parent}:${child}`;
    if (edges.has(key)) continue;
    edges.add(key);
    memberships.push([(groups[parent] as SimGroup).id, (groups[child] as SimGroup).id]);
  }
  return {
    tenantId,
    displayName: `Generated tenant ${seed}`,
    domains: [domain],
    users,
    groups,
    memberships,
    administrativeUnits: [],
    roleAssignments: [],
    apps: [],
    grants: [],
  };
}
