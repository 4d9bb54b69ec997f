import type { SyncSettings } from "../domain/sync-settings.ts";
import type { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";

export interface PermissionCheck {
  permission: string;
  /** "rejected": Entra ID refused the credentials themselves (a wrong or expired secret), not a permission. */
  status: "granted" | "missing" | "rejected";
  detail: string;
  /** Not needed to sync: reported when missing, but the test still passes and syncs still run. */
  optional?: true;
}

export interface NeededPermission {
  permission: string;
  /** What it is needed to do, completing "Needed to …". */
  why: string;
  /** Set for a permission syncing can do without: what stops working without it. */
  optional?: { without: string };
}

/** The bot's chat admin check reads role assignments through the connection (api/app/bot-port.ts). */
const CHAT_ADMIN_CHECK = "the bot cannot check who may run sync commands in chat";

/** Broader permissions that include a narrower one (application or delegated, same names). */
const IMPLIED_BY: Record<string, string[]> = {
  "TeamsAppInstallation.ReadWriteForUser.All": ["TeamsAppInstallation.ReadWriteAndConsentForUser.All"],
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
export function requiredPermissions(settings: SyncSettings, delegated: boolean): NeededPermission[] {
  const out: NeededPermission[] = [{ permission: "User.Read.All", why: "read users" }];
  if (settings.what !== "users" || settings.users.scope === "groups")
    out.push({ permission: "GroupMember.Read.All", why: "read groups and their members" });
  if (settings.photos) out.push({ permission: "ProfilePhoto.Read.All", why: "read profile photos" });
  if (settings.users.scope === "administrativeUnits")
    out.push({ permission: "AdministrativeUnit.Read.All", why: "read administrative units" });
  // Welcome notices are checked only when switched on; syncing does not need them, so they are optional.
  // Settings stored before notices existed have no welcome part.
  const welcome = (settings as Partial<SyncSettings>).welcome;
  if (welcome?.enabled && welcome.channel === "email")
    out.push({
      permission: "Mail.Send",
      why: `send welcome notices from ${welcome.mailbox}`,
      optional: { without: "welcome notices by email cannot be sent" },
    });
  if (welcome?.enabled && welcome.channel === "teams")
    out.push({
      permission: "TeamsAppInstallation.ReadWriteForUser.All",
      why: "install the app for people welcomed in Teams",
      optional: { without: "welcome notices in Teams cannot be sent to people who do not have the app yet" },
    });
  // Delegated connections also check that the consenting admin still holds an admin role, so there it is
  // required; an app connection syncs without it and only loses the admin check of chat commands.
  out.push(
    delegated
      ? {
          permission: "RoleManagement.Read.Directory",
          why: "check the consenting admin's role and who may run sync commands in chat",
        }
      : {
          permission: "RoleManagement.Read.Directory",
          why: "check who may run sync commands in chat",
          optional: { without: CHAT_ADMIN_CHECK },
        },
  );
  return out;
}

const isGranted = (permission: string, granted: string[]) =>
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
  required: NeededPermission[],
  granted: string[],
  grantKind: "application" | "delegated",
): Promise<PermissionCheck[]> {
  const checks: PermissionCheck[] = [];
  for (const { permission, why, optional } of required) {
    const add = (status: PermissionCheck["status"], detail: string) =>
      checks.push({ permission, status, detail, ...(optional ? { optional: true as const } : {}) });
    // A missing optional permission says what is lost and that syncing is unaffected.
    const missing = (cause: string, remedy: string) =>
      add(
        "missing",
        optional
          ? `${cause}: ${remedy}; without it ${optional.without}. Syncing does not need it.`
          : `${cause}. ${remedy}.`,
      );
    if (!isGranted(permission, granted)) {
      missing(
        optional ? `Permission ${permission} is missing` : `Needed to ${why}`,
        `${optional ? "add" : "Add"} the ${grantKind} permission ${permission} (Microsoft Graph) to the app and grant admin consent`,
      );
      continue;
    }
    const probe = PROBES[permission];
    if (!probe) {
      add("granted", `Granted (${grantKind} permission).`);
      continue;
    }
    try {
      await graph.get(probe);
      add("granted", `Granted (${grantKind} permission); Microsoft Graph answered.`);
    } catch (err) {
      if (isDirectoryProblem(err, "permission-missing"))
        missing(
          `Microsoft Graph refused to ${why} (403)`,
          `${optional ? "grant" : "Grant"} ${permission} and admin consent`,
        );
      else if (isDirectoryProblem(err, "auth-lost") || isDirectoryProblem(err, "consent-missing")) throw err;
      else
        add(
          "granted",
          `Granted in the token; the check against Microsoft Graph was inconclusive (${(err as Error).message}).`,
        );
    }
  }
  return checks;
}
