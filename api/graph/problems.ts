import type { Problem } from "../domain/problem.ts";

/**
 * Why a directory read failed, in the classes an admin can act on. The sync engine decides from `kind`
 * (for example: never delete after "auth-lost"), people read `message` and `remedy`.
 */
export type DirectoryProblemKind =
  | "auth-lost"
  | "consent-missing"
  | "permission-missing"
  | "not-found"
  | "throttled"
  | "transient"
  | "invalid-request";

export class DirectoryProblem extends Error implements Problem {
  readonly code: string;
  constructor(
    readonly kind: DirectoryProblemKind,
    message: string,
    readonly remedy: string,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
    /** Graph's own error code (for example syncStateNotFound), when Graph gave one. */
    readonly graphCode?: string,
  ) {
    super(message);
    this.name = "DirectoryProblem";
    this.code = kind;
  }

  toProblem(): Problem {
    return { code: this.code, message: this.message, remedy: this.remedy };
  }
}

export const isDirectoryProblem = (err: unknown, kind?: DirectoryProblemKind): err is DirectoryProblem =>
  err instanceof DirectoryProblem && (kind === undefined || err.kind === kind);

/** What a Graph path needs, so a 403 can name the permission to grant. */
function permissionFor(path: string): string {
  if (/\/sendMail$/i.test(path)) return "Mail.Send";
  if (/\/teamwork\/installedApps/i.test(path)) return "TeamsAppInstallation.ReadWriteForUser.All";
  if (/\/photo/.test(path)) return "ProfilePhoto.Read.All";
  if (/\/(transitiveMembers|members)/.test(path) && /\/groups\//.test(path)) return "GroupMember.Read.All";
  if (/administrativeUnits/.test(path)) return "AdministrativeUnit.Read.All";
  if (/roleManagement|directoryRoles/.test(path)) return "RoleManagement.Read.Directory";
  if (/\/groups/.test(path)) return "GroupMember.Read.All";
  if (/\/organization/.test(path)) return "Organization.Read.All";
  if (/^\/applications/.test(path)) return "Application.Read.All";
  return "User.Read.All";
}

/** Turns a Graph error response into a DirectoryProblem with a remedy. */
export function classifyGraphFailure(
  status: number,
  body: { error?: { code?: string; message?: string } } | undefined,
  path: string,
  retryAfterSeconds?: number,
): DirectoryProblem {
  const code = body?.error?.code ?? "";
  const detail = body?.error?.message ?? "";
  if (status === 401)
    return new DirectoryProblem(
      "auth-lost",
      `Microsoft Graph no longer accepts this connection's credentials (${code || "401"}).`,
      "Reauthorize the connection: an admin signs in again or enters a valid client secret.",
      status,
    );
  if (status === 403) {
    const permission = permissionFor(path);
    return new DirectoryProblem(
      "permission-missing",
      `Permission ${permission} is missing for ${describePath(path)}.`,
      `Grant ${permission} to the app and grant admin consent, then retry.`,
      status,
    );
  }
  if (status === 404)
    return new DirectoryProblem(
      "not-found",
      `${describePath(path)} does not exist in Entra ID${detail ? ` (${detail})` : ""}.`,
      "Remove it from the connection's scope or pick an existing one.",
      status,
    );
  if (status === 429)
    return new DirectoryProblem(
      "throttled",
      "Microsoft Graph kept throttling the directory read after every retry.",
      "The sync will retry later; reduce how often it runs if this repeats.",
      status,
      retryAfterSeconds,
    );
  if (status >= 500 || status === 0)
    return new DirectoryProblem(
      "transient",
      `Microsoft Graph is unavailable (${status || "network error"}${code ? `, ${code}` : ""}).`,
      "Nothing was changed; the sync will retry later.",
      status,
    );
  return new DirectoryProblem(
    "invalid-request",
    `Microsoft Graph rejected the request for ${describePath(path)}: ${detail || code || status}.`,
    "Check the connection's scope settings (for example the user filter).",
    status,
    undefined,
    code || undefined,
  );
}

function describePath(path: string): string {
  const group = /\/groups\/([0-9a-f-]{36})/i.exec(path);
  if (group) return `group ${group[1]}`;
  const au = /administrativeUnits\/([0-9a-f-]{36})/i.exec(path);
  if (au) return `administrative unit ${au[1]}`;
  const user = /\/users\/([^/?]+)/.exec(path);
  if (user && user[1] !== "delta") return `user ${decodeURIComponent(user[1] ?? "")}`;
  return path.split("?")[0] ?? path;
}
