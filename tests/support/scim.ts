import { SCIM_PATH_PREFIX } from "../../api/contract/scim.ts";
import type { FullStack } from "./full-stack.ts";

export interface ScimConnection {
  id: string;
  token: string;
  tenantUrl: string;
  /** Calls the SCIM endpoint with the connection's token, as Entra's provisioning service does. */
  scim(
    path: string,
    init?: { method?: string; json?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{
    status: number;
    // biome-ignore lint/suspicious/noExplicitAny: SCIM answers are asserted field by field
    body: any;
    headers: Headers;
  }>;
}

/** Creates a push connection as an admin does in the tab; its first token is in the creation answer. */
export async function createScimConnection(
  s: FullStack,
  admin: string,
  extra: Record<string, unknown> = {},
): Promise<ScimConnection> {
  const created = await s.api("/api/connections", {
    token: admin,
    method: "POST",
    json: { kind: "scim", name: "Entra provisioning", ...extra },
  });
  if (created.status !== 201)
    throw new Error(`creating the scim connection: ${created.status} ${created.text}`);
  const id = created.body.id as string;
  const token = created.body.scim.token as string;
  const tenantUrl = `${s.url}${SCIM_PATH_PREFIX}/${id}`;
  return {
    id,
    token,
    tenantUrl,
    async scim(path, init = {}) {
      const res = await fetch(`${tenantUrl}${path}`, {
        method: init.method ?? "GET",
        headers: {
          authorization: `Bearer ${init.token ?? token}`,
          ...(init.json !== undefined ? { "content-type": "application/scim+json" } : {}),
          ...init.headers,
        },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
  };
}
