import type { Problem } from "../domain/problem.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import type { Logger } from "../logger.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { ConnectionCredentials } from "./credentials.ts";

/**
 * Where the check's verdict goes: the connection's warning (shown in the tab, posted by the bot). Implemented
 * by the connections' health (api/connections/health.ts), which sits above auth and is wired in by api/app.
 */
export interface ConnectionWarnings {
  setWarning(connection: ConnectionDoc, warning: Problem | undefined): Promise<void>;
}

/**
 * Before each run and daily: does the admin whose consent (and, for delegated connections, whose sign-in)
 * the connection relies on still exist, still have an enabled account and still hold an admin directory
 * role? If not, warn before the token breaks, so another admin can reauthorize in time.
 */
export class ConsentingAdminCheck {
  constructor(
    private readonly credentials: ConnectionCredentials,
    private readonly health: ConnectionWarnings,
    private readonly adminRoles: string[],
    private readonly logger: Logger,
  ) {}

  async check(connection: ConnectionDoc): Promise<Problem | undefined> {
    const admin = connection.consent;
    if (!admin || connection.kind !== "graph-delegated") return undefined;
    const graph = this.credentials.graphFor(connection);
    const who = admin.adminUpn || admin.adminObjectId;
    let warning: Problem | undefined;
    try {
      const user = await graph.get<{ accountEnabled?: boolean }>(
        `/users/${encodeURIComponent(admin.adminObjectId)}?$select=id,accountEnabled,userPrincipalName`,
      );
      if (user.accountEnabled === false) {
        warning = {
          code: "admin-disabled",
          message: `The admin who authorized this connection (${who}) has a disabled account.`,
          remedy: "Another admin should reauthorize the connection before its sign-in stops working.",
        };
      } else {
        const filter = encodeURIComponent(`principalId eq '${admin.adminObjectId}'`);
        const assignments = await graph.get<{ value?: { roleDefinitionId: string }[] }>(
          `/roleManagement/directory/roleAssignments?$filter=${filter}`,
        );
        const roles = (assignments.value ?? []).map((a) => a.roleDefinitionId.toLowerCase());
        if (!roles.some((r) => this.adminRoles.some((a) => a.toLowerCase() === r)))
          warning = {
            code: "admin-role-removed",
            message: `The admin who authorized this connection (${who}) no longer holds an admin directory role.`,
            remedy:
              "Another admin should reauthorize the connection; syncs may start failing when consent is reviewed.",
          };
      }
    } catch (err) {
      if (isDirectoryProblem(err, "not-found")) {
        warning = {
          code: "admin-deleted",
          message: `The admin who authorized this connection (${who}) has left: the account no longer exists.`,
          remedy: "Another admin should reauthorize the connection.",
        };
      } else if (isDirectoryProblem(err, "auth-lost") || isDirectoryProblem(err, "consent-missing")) {
        // The credential itself failed; ConnectionCredentials already marked the connection needs-reauth.
        return undefined;
      } else {
        this.logger.warn({ err, connectionId: connection.id }, "consenting admin could not be checked");
        return undefined;
      }
    }
    await this.health.setWarning(connection, warning);
    return warning;
  }
}
