import type { MachineScope } from "../store/documents.ts";

/** Who is calling, taken only from a validated token or session; the tenant comes from here, never the body. */
export interface Principal {
  tenantId: string;
  oid: string;
  name: string;
  upn?: string;
  /** Admins configure connections and run or confirm syncs; readers may view state and history. */
  isAdmin: boolean;
  canRead: boolean;
  /** Why the roles are what they are, for 403 messages ("has no DirectorySync.Admin role"). */
  roleSource: string;
  via: "bearer" | "session" | "api-key" | "app-token";
  /**
   * Set for an application calling without a person: an API key or an Entra app-only token. It reads only
   * the Directory API (/api/v1) of its own tenant, within its scopes, and is never an admin or a reader.
   */
  machine?: { scopes: MachineScope[]; keyId?: string; appId?: string };
}
