import { guidFrom } from "../sim/ids.ts";
import type { TenantSize } from "./sizes.ts";

/** A person as Entra's provisioning service knows them before it sends them. */
export interface PlannedUser {
  /** Entra object id: Entra's default mappings send it as externalId once the admin maps objectId there. */
  externalId: string;
  userName: string;
  givenName: string;
  familyName: string;
  email: string;
  department: string;
  employeeNumber: string;
}

export interface PlannedGroup {
  externalId: string;
  displayName: string;
  /** Indexes into the plan's users. */
  members: number[];
}

export interface ScimDirectoryPlan {
  users: PlannedUser[];
  groups: PlannedGroup[];
  memberships: number;
}

const DEPARTMENTS = ["Sales", "Marketing", "Engineering", "Finance", "Operations", "Legal", "Support"];

/**
 * The directory a SCIM load run provisions, the same on every run: `size.users` people, `size.groups` groups
 * and about `size.memberships` direct memberships, spread so every group has members (two or three groups a
 * person, as the pull benchmark's tenant has 2.5).
 */
export function planScimDirectory(size: TenantSize, seed = "scim-bench"): ScimDirectoryPlan {
  const users = Array.from({ length: size.users }, (_, i): PlannedUser => {
    const n = String(i).padStart(6, "0");
    return {
      externalId: guidFrom(`${seed}:user:${i}`),
      userName: `scim.user${n}@bench.example`,
      givenName: "Scim",
      familyName: `User ${n}`,
      email: `scim.user${n}@bench.example`,
      department: DEPARTMENTS[i % DEPARTMENTS.length] as string,
      employeeNumber: `E${n}`,
    };
  });
  const groupCount = Math.max(1, size.groups);
  const members = Array.from({ length: groupCount }, () => new Set<number>());
  const perUser = size.users > 0 ? size.memberships / size.users : 0;
  // Strides a third of the way round keep one person's groups distinct.
  const stride = Math.floor(groupCount / 3) + 1;
  for (let u = 0; u < size.users; u++) {
    const count = Math.floor(perUser) + (u % 2 === 0 && perUser % 1 ? 1 : 0);
    for (let k = 0; k < count; k++) members[(u + k * stride) % groupCount]?.add(u);
  }
  const groups = members.map(
    (set, g): PlannedGroup => ({
      externalId: guidFrom(`${seed}:group:${g}`),
      displayName: `SCIM bench group ${String(g).padStart(4, "0")}`,
      members: [...set],
    }),
  );
  return { users, groups, memberships: groups.reduce((n, g) => n + g.members.length, 0) };
}
