import type { SimDirectory } from "../directory/directory.ts";
import type { TenantState } from "../directory/state.ts";

export interface GraphRequest {
  method: string;
  /** Path under the version segment plus query, e.g. "/users?$top=5". */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body?: unknown;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export interface Caller {
  tenant: TenantState;
  appId: string;
  /** Application permissions (roles) or delegated scopes from the token. */
  permissions: Set<string>;
  delegated: boolean;
  userId?: string;
}

export interface RouteContext {
  dir: SimDirectory;
  caller: Caller;
  req: GraphRequest;
  path: string;
  params: URLSearchParams;
  /** Absolute Graph root of this simulator, e.g. "https://localhost:1234/v1.0". */
  root: string;
  match: RegExpExecArray;
}
