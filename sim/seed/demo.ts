import { readFileSync } from "node:fs";
import {
  DEMO_ADMIN_USER_ID,
  DEMO_CUSTOMER_APP,
  DEMO_TENANT_DOMAIN,
  DEMO_TENANT_ID,
  DEMO_USER_ADMIN_USER_ID,
  PRODUCT_APP,
  ROLE_TEMPLATES,
} from "../constants.ts";
import { guidFrom } from "../ids.ts";
import type { SimGroup, SimUser, TenantSeed } from "../types.ts";
import { makeGroup, makeUser } from "./factory.ts";

interface FixtureUser {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  userPrincipalName: string;
  jobTitle: string | null;
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  businessPhones: string[];
}

const D = DEMO_TENANT_DOMAIN;
const extName = (name: string) => `extension_${DEMO_CUSTOMER_APP.clientId.replaceAll("-", "")}_${name}`;

/** Department and site per fixture person (the fixture has neither); rooms and the shared mailbox get none. */
const PEOPLE: Record<string, [department: string, site: "redmond" | "london" | "munich"]> = {
  AdeleV: ["Marketing", "redmond"],
  admin: ["IT", "redmond"],
  AlexW: ["Marketing", "redmond"],
  AllanD: ["Operations", "redmond"],
  BenW: ["Sales", "redmond"],
  BrianJ: ["Sales", "london"],
  ChristieC: ["Sales", "london"],
  DebraB: ["Executive Management", "redmond"],
  DiegoS: ["Finance", "munich"],
  EmilyB: ["Finance", "munich"],
  EnricoC: ["Legal", "munich"],
  GradyA: ["Legal", "redmond"],
  HenriettaM: ["Marketing", "london"],
  IrvinS: ["Sales", "london"],
  IsaiahL: ["Marketing", "redmond"],
  JohannaL: ["Research & Development", "munich"],
  JoniS: ["Legal", "redmond"],
  LeeG: ["Research & Development", "redmond"],
  LidiaH: ["Research & Development", "redmond"],
  LynneR: ["Research & Development", "london"],
  MeganB: ["Finance", "redmond"],
  MiriamG: ["Marketing", "redmond"],
  NestorW: ["Operations", "redmond"],
  PattiF: ["Executive Management", "redmond"],
  PradeepG: ["Finance", "munich"],
};

const SITES = {
  redmond: {
    streetAddress: "One Microsoft Way",
    city: "Redmond",
    state: "WA",
    postalCode: "98052",
    country: "United States",
    usageLocation: "US",
  },
  london: {
    streetAddress: "2 Kingdom Street",
    city: "London",
    state: null,
    postalCode: "W2 6BD",
    country: "United Kingdom",
    usageLocation: "GB",
  },
  munich: {
    streetAddress: "Walter-Gropius-Strasse 5",
    city: "Munich",
    state: "BY",
    postalCode: "80807",
    country: "Germany",
    usageLocation: "DE",
  },
} as const;

const WITH_PHOTO = new Set([
  "AdeleV",
  "AlexW",
  "BenW",
  "ChristieC",
  "DiegoS",
  "MeganB",
  "MiriamG",
  "PattiF",
  "admin",
]);

function loadFixtureUsers(): FixtureUser[] {
  const raw = readFileSync(new URL("./demo-tenant-users.json", import.meta.url), "utf8");
  return (JSON.parse(raw) as { value: FixtureUser[] }).value;
}

function enrich(f: FixtureUser, index: number): SimUser {
  const alias = f.userPrincipalName.split("@")[0] ?? "";
  const person = PEOPLE[alias];
  const site = person ? SITES[person[1]] : null;
  return makeUser({
    ...f,
    department: person?.[0] ?? null,
    companyName: person ? "Contoso" : null,
    ...(site ?? {}),
    employeeId: person ? String(100100 + index) : null,
    proxyAddresses: f.mail ? [`SMTP:${f.mail}`, `smtp:${alias.toLowerCase()}@contoso.com`] : [],
    creationType: null,
    createdDateTime: new Date(Date.UTC(2023, 0, 2 + index, 9)).toISOString().replace(".000", ""),
    onPremisesExtensionAttributes: person ? { extensionAttribute1: `CC-${1000 + (index % 7) * 10}` } : {},
    extensions: person ? { [extName("costCenter")]: `CC-${1000 + (index % 7) * 10}` } : {},
    hasPhoto: WITH_PHOTO.has(alias),
  });
}

/** Accounts the fixture lacks but a real tenant has: guests, leavers, odd mail setups. */
function extraUsers(): SimUser[] {
  const id = (k: string) => guidFrom(`demo-user:${k}`);
  const redmond = SITES.redmond;
  return [
    makeUser({
      id: id("guest-ana"),
      displayName: "Ana Bowman (Fabrikam)",
      givenName: "Ana",
      surname: "Bowman",
      mail: "ana.bowman@fabrikam.com",
      userPrincipalName: `ana.bowman_fabrikam.com#EXT#@${D}`,
      userType: "Guest",
      creationType: "Invitation",
      companyName: "Fabrikam",
      otherMails: ["ana.bowman@fabrikam.com"],
    }),
    makeUser({
      id: id("guest-kai"),
      displayName: "Kai Nakamura (Northwind)",
      givenName: "Kai",
      surname: "Nakamura",
      mail: "kai@northwindtraders.com",
      userPrincipalName: `kai_northwindtraders.com#EXT#@${D}`,
      userType: "Guest",
      creationType: "Invitation",
      companyName: "Northwind Traders",
    }),
    makeUser({
      id: id("disabled-jordan"),
      displayName: "Jordan Ellis",
      givenName: "Jordan",
      surname: "Ellis",
      mail: `JordanE@${D}`,
      userPrincipalName: `JordanE@${D}`,
      jobTitle: "Sales Representative",
      department: "Sales",
      companyName: "Contoso",
      accountEnabled: false,
      ...redmond,
    }),
    makeUser({
      id: id("disabled-sam"),
      displayName: "Sam Okafor",
      givenName: "Sam",
      surname: "Okafor",
      mail: `SamO@${D}`,
      userPrincipalName: `SamO@${D}`,
      jobTitle: "Engineer",
      department: "Research & Development",
      companyName: "Contoso",
      accountEnabled: false,
      ...SITES.london,
    }),
    makeUser({
      id: id("proxy-only-rowan"),
      displayName: "Rowan Price",
      givenName: "Rowan",
      surname: "Price",
      mail: null,
      userPrincipalName: `RowanP@${D}`,
      proxyAddresses: [`SMTP:rowan.price@contoso.com`, `smtp:RowanP@${D}`],
      jobTitle: "Field Technician",
      department: "Operations",
      companyName: "Contoso",
      ...redmond,
    }),
    makeUser({
      id: id("othermails-quinn"),
      displayName: "Quinn Harper",
      givenName: "Quinn",
      surname: "Harper",
      mail: null,
      userPrincipalName: `QuinnH@${D}`,
      proxyAddresses: [],
      otherMails: ["quinn.harper@outlook.com"],
      jobTitle: "Contractor",
      department: "Marketing",
      ...SITES.london,
    }),
    makeUser({
      id: id("dup-taylor-1"),
      displayName: "Taylor Reed",
      givenName: "Taylor",
      surname: "Reed",
      mail: `TaylorR@${D}`,
      userPrincipalName: `TaylorR@${D}`,
      jobTitle: "Account Executive",
      department: "Sales",
      companyName: "Contoso",
      ...SITES.london,
    }),
    makeUser({
      id: id("dup-taylor-2"),
      displayName: "Taylor Reed (Contractor)",
      givenName: "Taylor",
      surname: "Reed",
      mail: `TaylorR@${D}`,
      userPrincipalName: `TaylorR.ext@${D}`,
      proxyAddresses: [`SMTP:TaylorR.ext@${D}`],
      jobTitle: "Sales Consultant",
      department: "Sales",
      companyName: "Reed Consulting",
      employeeType: "Contractor",
      ...SITES.london,
    }),
  ];
}

function groupsAndMembers(users: SimUser[]): { groups: SimGroup[]; memberships: [string, string][] } {
  const gid = (k: string) => guidFrom(`demo-group:${k}`);
  const byDept = (d: string) =>
    users.filter((u) => u.department === d && u.userType === "Member").map((u) => u.id);
  const group = (key: string, displayName: string, extra: Partial<SimGroup> = {}) =>
    makeGroup({ id: gid(key), displayName, createdDateTime: "2023-01-05T10:00:00Z", ...extra });
  const groups = [
    group("all-staff", "All Staff", {
      description: "Everyone at Contoso",
      mail: `allstaff@${D}`,
      mailEnabled: true,
      securityEnabled: true,
    }),
    group("sales", "Sales Team", {
      description: "Sales worldwide",
      mail: `sales@${D}`,
      groupTypes: ["Unified"],
      visibility: "Public",
    }),
    group("sales-emea", "Sales EMEA", { description: "Sales in Europe, Middle East and Africa" }),
    group("marketing", "Marketing", {
      description: "Marketing department",
      mail: `marketing@${D}`,
      groupTypes: ["Unified"],
    }),
    group("finance", "Finance", { description: "Finance department" }),
    group("legal", "Legal", { description: "Legal department" }),
    group("rnd", "Research & Development", { description: "Engineering and research" }),
    group("operations", "Operations", { description: "Operations and security" }),
    group("rooms", "Conference Rooms", { description: "Bookable rooms" }),
    group("guests", "External Partners", { description: "Guests from partner companies" }),
    group("phoenix", "Project Phoenix", { description: "A project team with no members yet" }),
  ];
  const [all, sales, emea, marketing, finance, legal, rnd, ops, rooms, guests] = groups.map(
    (g) => g.id,
  ) as string[];
  const m: [string, string][] = [];
  const add = (g: string | undefined, ids: string[]) => {
    for (const id of ids) if (g) m.push([g, id]);
  };
  const salesPeople = byDept("Sales");
  const emeaPeople = salesPeople.filter((id) => users.find((u) => u.id === id)?.usageLocation !== "US");
  add(emea, emeaPeople);
  add(
    sales,
    salesPeople.filter((id) => !emeaPeople.includes(id)),
  );
  add(sales, [emea as string]);
  add(marketing, byDept("Marketing"));
  add(finance, byDept("Finance"));
  add(legal, byDept("Legal"));
  add(rnd, byDept("Research & Development"));
  add(ops, byDept("Operations"));
  add(
    rooms,
    users.filter((u) => u.displayName?.startsWith("Conf Room")).map((u) => u.id),
  );
  add(
    guests,
    users.filter((u) => u.userType === "Guest").map((u) => u.id),
  );
  add(all, [sales, marketing, finance, legal, rnd, ops] as string[]);
  add(all, [...byDept("Executive Management"), ...byDept("IT")]);
  return { groups, memberships: m };
}

/** The demo tenant: the 32 accounts of a Microsoft 365 demo tenant plus the awkward cases a sync must handle. */
export function demoTenant(): TenantSeed {
  const users = [...loadFixtureUsers().map(enrich), ...extraUsers()];
  const { groups, memberships } = groupsAndMembers(users);
  const seattle = users.filter((u) => u.city === "Redmond").map((u) => u.id);
  return {
    tenantId: DEMO_TENANT_ID,
    displayName: "Contoso",
    domains: [D, "contoso.com"],
    users,
    groups,
    memberships,
    administrativeUnits: [
      {
        id: guidFrom("demo-au:seattle"),
        displayName: "Seattle Office",
        description: "People based in Redmond",
        visibility: null,
        memberIds: seattle,
      },
    ],
    roleAssignments: [
      {
        id: guidFrom("demo-ra:admin"),
        principalId: DEMO_ADMIN_USER_ID,
        roleDefinitionId: ROLE_TEMPLATES.globalAdministrator,
        directoryScopeId: "/",
      },
      {
        id: guidFrom("demo-ra:megan"),
        principalId: DEMO_USER_ADMIN_USER_ID,
        roleDefinitionId: ROLE_TEMPLATES.userAdministrator,
        directoryScopeId: "/",
      },
    ],
    // MOD Administrator also holds the product's admin app role; Megan is admin through her directory role.
    appRoleAssignments: [
      {
        principalId: DEMO_ADMIN_USER_ID,
        resourceAppId: PRODUCT_APP.clientId,
        appRole: "DirectorySync.Admin",
      },
    ],
    apps: [
      {
        clientId: DEMO_CUSTOMER_APP.clientId,
        displayName: DEMO_CUSTOMER_APP.displayName,
        homeTenantId: DEMO_TENANT_ID,
        multiTenant: false,
        secrets: [{ value: DEMO_CUSTOMER_APP.clientSecret, expiresAt: Date.UTC(2099, 0, 1) }],
        requiredApplicationPermissions: [...DEMO_CUSTOMER_APP_PERMISSIONS],
        requiredDelegatedPermissions: [],
        appRoles: [],
      },
    ],
    grants: [
      {
        clientId: DEMO_CUSTOMER_APP.clientId,
        application: [...DEMO_CUSTOMER_APP_PERMISSIONS],
        delegated: [],
        consentedBy: { id: DEMO_ADMIN_USER_ID, userPrincipalName: `admin@${D}` },
        consentedAt: "2024-02-01T12:00:00Z",
      },
      {
        clientId: PRODUCT_APP.clientId,
        application: [],
        delegated: [...PRODUCT_DELEGATED_PERMISSIONS],
        consentedBy: { id: DEMO_ADMIN_USER_ID, userPrincipalName: `admin@${D}` },
        consentedAt: "2024-02-01T12:00:00Z",
      },
    ],
  };
}

export const DEMO_CUSTOMER_APP_PERMISSIONS = [
  "User.Read.All",
  "GroupMember.Read.All",
  "Group.Read.All",
  "ProfilePhoto.Read.All",
  "RoleManagement.Read.Directory",
  "AdministrativeUnit.Read.All",
  "Application.Read.All",
] as const;

/** Delegated Graph permissions the product asks for at admin consent (`.default`). */
export const PRODUCT_DELEGATED_PERMISSIONS = [
  "openid",
  "profile",
  "email",
  "offline_access",
  "User.Read",
  "User.Read.All",
  "GroupMember.Read.All",
  "Group.Read.All",
  "ProfilePhoto.Read.All",
  "RoleManagement.Read.Directory",
  "AdministrativeUnit.Read.All",
] as const;
