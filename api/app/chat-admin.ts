import type { ConnectionCredentials } from "../auth/credentials.ts";
import { decideRoles, type RolePolicy } from "../auth/roles.ts";
import type { Problem } from "../domain/problem.ts";
import type { GraphApi } from "../graph/client.ts";
import { DirectoryProblem, isDirectoryProblem } from "../graph/problems.ts";
import type { ConnectionDoc } from "../store/documents.ts";

/**
 * A refusal of an admin-only chat command for a reason other than "not an admin": nothing to check against
 * yet, or a connection whose sign-in must be renewed first. Problem-shaped, so chat shows cause and remedy.
 */
class ChatAdminProblem extends Error implements Problem {
  constructor(
    readonly code: "no-connection" | "needs-reauth" | "app-roles-unreadable",
    message: string,
    readonly remedy: string,
    readonly connectionId?: string,
  ) {
    super(message);
    this.name = "ChatAdminProblem";
  }
}

interface AppRoleDefinition {
  id: string;
  value?: string;
}

const permissionRefused = (err: unknown) =>
  isDirectoryProblem(err, "permission-missing") || isDirectoryProblem(err, "consent-missing");

/**
 * Whether a chat user is a Directory Sync admin, decided by the same rule as the tab and the API
 * (api/auth/roles.ts): an admin app role or an admin directory role. A Teams message carries neither claim,
 * so both are read from Entra ID through the tenant's connection: directory roles from roleAssignments, app
 * roles from the user's appRoleAssignments to this product's app.
 */
export class ChatAdminCheck {
  constructor(
    private readonly credentials: ConnectionCredentials,
    private readonly policy: RolePolicy,
    /** The product's app id: its app roles are the ones that count (DirectorySync.Admin). */
    private readonly productAppId: string,
  ) {}

  async isAdmin(connections: ConnectionDoc[], aadObjectId: string): Promise<boolean> {
    if (connections.length === 0)
      throw new ChatAdminProblem(
        "no-connection",
        "There is no connection to Entra ID yet, so there is nothing to sync and no way to check admin rights in chat.",
        "An admin creates the connection in the Directory Sync tab (Connect); then chat commands work.",
      );
    const usable = connections.filter((c) => c.status !== "needs-reauth");
    if (usable.length === 0) {
      const first = connections[0] as ConnectionDoc;
      throw new ChatAdminProblem(
        "needs-reauth",
        `The connection ${first.name} needs to be reauthorized: ${first.statusProblem?.message ?? "Entra ID no longer accepts its sign-in."}`,
        "An admin reauthorizes it in the Directory Sync tab (Reauthorize on the connection); then syncs and chat commands work again.",
        first.id,
      );
    }
    let unreadable: unknown;
    for (const connection of usable) {
      try {
        return await this.decide(this.credentials.graphFor(connection), aadObjectId);
      } catch (err) {
        unreadable ??= err;
      }
    }
    throw unreadable;
  }

  private async decide(graph: GraphApi, oid: string): Promise<boolean> {
    const [wids, roles] = await Promise.allSettled([
      this.directoryRoles(graph, oid),
      this.appRoles(graph, oid),
    ]);
    const claims = {
      wids: wids.status === "fulfilled" ? wids.value : [],
      roles: roles.status === "fulfilled" ? roles.value : [],
    };
    if (decideRoles(claims, this.policy).isAdmin) return true;
    if (wids.status === "rejected" && roles.status === "rejected") {
      if (permissionRefused(wids.reason))
        throw new DirectoryProblem(
          "permission-missing",
          "Admin rights cannot be checked in chat: permission RoleManagement.Read.Directory is missing for the connection's app.",
          "Grant admin consent for RoleManagement.Read.Directory to the connection's app (the connection test names it), or use the Directory Sync tab, which checks app roles.",
        );
      throw wids.reason;
    }
    if (wids.status === "rejected") throw wids.reason;
    if (roles.status === "rejected") {
      if (!permissionRefused(roles.reason)) throw roles.reason;
      // No admin directory role, and app roles are out of reach: say so rather than refuse an app-role admin.
      throw new ChatAdminProblem(
        "app-roles-unreadable",
        `You hold no admin directory role, and chat cannot see app roles (${this.policy.adminAppRoles.join(", ")}): the connection's app lacks Directory.Read.All, which reading them needs.`,
        "If you hold the app role, use the Directory Sync tab, or ask an admin to grant Directory.Read.All to the connection's app; otherwise ask a Directory Sync admin.",
      );
    }
    return false;
  }

  private async directoryRoles(graph: GraphApi, oid: string): Promise<string[]> {
    const filter = encodeURIComponent(`principalId eq '${oid.replace(/'/g, "''")}'`);
    const result = await graph.get<{ value: { roleDefinitionId: string }[] }>(
      `/roleManagement/directory/roleAssignments?$filter=${filter}`,
    );
    return result.value.map((a) => a.roleDefinitionId);
  }

  /** The values (DirectorySync.Admin…) of the product's app roles assigned to the user, as a token would carry. */
  private async appRoles(graph: GraphApi, oid: string): Promise<string[]> {
    let app: { id: string; appRoles?: AppRoleDefinition[] };
    try {
      app = await graph.get(
        `/servicePrincipals(appId='${encodeURIComponent(this.productAppId)}')?$select=id,appRoles`,
      );
    } catch (err) {
      // The product's app is not in the tenant: nobody can hold its roles there.
      if (isDirectoryProblem(err, "not-found")) return [];
      throw err;
    }
    const values = new Map((app.appRoles ?? []).map((r) => [r.id, r.value ?? ""]));
    const assigned = await graph.get<{ value: { appRoleId: string; resourceId: string }[] }>(
      `/users/${encodeURIComponent(oid)}/appRoleAssignments`,
    );
    return assigned.value
      .filter((a) => a.resourceId === app.id)
      .map((a) => values.get(a.appRoleId) ?? "")
      .filter(Boolean);
  }
}
