import type { Principal } from "./principal.ts";

export interface RolePolicy {
  adminAppRoles: string[];
  readerAppRoles: string[];
  /** Directory role template ids (as in the `wids` claim) that count as admin. */
  adminDirectoryRoles: string[];
}

export interface RoleClaims {
  roles: string[];
  wids: string[];
}

/**
 * Admin: an admin app role, or an admin directory role. Reader: a reader app role, or admin. The reason is
 * kept so a 403 can say why ("has no DirectorySync.Admin app role and no admin directory role").
 */
export function decideRoles(
  claims: RoleClaims,
  policy: RolePolicy,
): Pick<Principal, "isAdmin" | "canRead" | "roleSource"> {
  const appAdmin = claims.roles.find((r) => policy.adminAppRoles.includes(r));
  const dirAdmin = claims.wids.find((w) =>
    policy.adminDirectoryRoles.some((d) => d.toLowerCase() === w.toLowerCase()),
  );
  const reader = claims.roles.find((r) => policy.readerAppRoles.includes(r));
  if (appAdmin) return { isAdmin: true, canRead: true, roleSource: `has the ${appAdmin} app role` };
  if (dirAdmin) return { isAdmin: true, canRead: true, roleSource: `holds directory role ${dirAdmin}` };
  const adminNames = policy.adminAppRoles.join(" or ") || "an admin app role";
  if (reader)
    return {
      isAdmin: false,
      canRead: true,
      roleSource: `has only the ${reader} app role (not ${adminNames}, and no admin directory role)`,
    };
  return {
    isAdmin: false,
    canRead: false,
    roleSource: `has none of the app roles ${[...policy.adminAppRoles, ...policy.readerAppRoles].join(", ")} and no admin directory role`,
  };
}
