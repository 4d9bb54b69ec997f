import type { MachineScope } from "../store/documents.ts";

/**
 * App roles of the product's API an application can be granted in Entra ID (app-only, client credentials),
 * and the scope each one gives, the same scopes an API key carries.
 */
export const APP_ROLE_SCOPES: Record<string, MachineScope> = {
  "DirectorySync.Directory.Read": "directory:read",
  "DirectorySync.Events.Read": "events:read",
  "DirectorySync.Webhooks.Manage": "webhooks:manage",
};

export function scopesOfAppRoles(roles: string[]): MachineScope[] {
  return [...new Set(roles.flatMap((r) => (APP_ROLE_SCOPES[r] ? [APP_ROLE_SCOPES[r]] : [])))];
}
