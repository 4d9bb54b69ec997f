import type { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import type { SyncSettings } from "../sync/settings.ts";

export interface PermissionCheck {
  permission: string;
  status: "granted" | "missing";
  detail: string;
}

/** Broader permissions that include a narrower one (application or delegated, same names). */
const IMPLIED_BY: Record<string, string[]> = {
  "User.Read.All": ["User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "GroupMember.Read.All": [
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
  "ProfilePhoto.Read.All": ["User.Read.All", "User.ReadWrite.All", "ProfilePhoto.ReadWrite.All"],
  "RoleManagement.Read.Directory": [
    "RoleManagement.Read.All",
    "RoleManagement.ReadWrite.Directory",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
  "AdministrativeUnit.Read.All": [
    "AdministrativeUnit.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
  ],
};

/** What the chosen options need, each with why, so "missing" can say which option asked for it. */
export function requiredPermissions(
  settings: SyncSettings,
  delegated: boolean,
): { permission: string; why: string }[] {
  const out: { permission: string; why: string }[] = [{ permission: "User.Read.All", why: "read users" }];
  if (settings.what !== "users" || settings.users.scope === "groups")
    out.push({ permission: "GroupMember.Read.All", why: "read groups and their members" });
  if (settings.photos) out.push({ permission: "ProfilePhoto.Read.All", why: "read profile photos" });
  if (settings.users.scope === "administrativeUnits")
    out.push({ permission: "AdministrativeUnit.Read.All", why: "read administrative units" });
  // Delegated connections check that the consenting admin still holds an admin role.
  if (delegated)
    out.push({ permission: "RoleManagement.Read.Directory", why: "check the consenting admin's role" });
  return out;
}

export const isGranted = (permission: string, granted: string[]) =>
  granted.includes(permission) || (IMPLIED_BY[permission] ?? []).some((p) => granted.includes(p));

const PROBES: Record<string, string> = {
  "User.Read.All": "/users?$top=1&$select=id",
  "GroupMember.Read.All": "/groups?$top=1&$select=id",
  "AdministrativeUnit.Read.All": "/directory/administrativeUnits?$top=1&$select=id",
  "RoleManagement.Read.Directory": "/roleManagement/directory/roleAssignments?$top=1",
};

/**
 * Per permission: granted or missing. The token's claims say what was consented; a Graph probe confirms
 * it (a 403 on the probe names the permission even when the claims looked fine).
 */
export async function checkPermissions(
  graph: GraphApi,
  required: { permission: string; why: string }[],
  granted: string[],
  grantKind: "application" | "delegated",
): Promise<PermissionCheck[]> {
  const checks: PermissionCheck[] = [];
  for (const { permission, why } of required) {
    if (!isGranted(permission, granted)) {
      checks.push({
        permission,
        status: "missing",
        detail: `Needed to ${why}. Add the ${grantKind} permission ${permission} (Microsoft Graph) to the app and grant admin consent.`,
      });
      continue;
    }
    const probe = PROBES[permission];
    if (!probe) {
      checks.push({ permission, status: "granted", detail: `Granted (${grantKind} permission).` });
      continue;
    }
    try {
      await graph.get(probe);
      checks.push({
        permission,
        status: "granted",
        detail: `Granted (${grantKind} permission); Microsoft Graph answered.`,
      });
    } catch (err) {
      if (isDirectoryProblem(err, "permission-missing"))
        checks.push({
          permission,
          status: "missing",
          detail: `Microsoft Graph refused to ${why} (403). Grant ${permission} and admin consent.`,
        });
      else if (isDirectoryProblem(err, "auth-lost") || isDirectoryProblem(err, "consent-missing")) throw err;
      else
        checks.push({
          permission,
          status: "granted",
          detail: `Granted in the token; the check against Microsoft Graph was inconclusive (${(err as Error).message}).`,
        });
    }
  }
  return checks;
}
