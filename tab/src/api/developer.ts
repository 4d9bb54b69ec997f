import type { ApiClient } from "./client.ts";

/**
 * What the "API and webhooks" screen reads and changes: the tenant's API keys (/api/api-keys) and its webhook
 * endpoints and change feed (/api/v1, which admins reach with their own session).
 */
export type MachineScope = "directory:read" | "events:read" | "webhooks:manage";
export const MACHINE_SCOPES: { scope: MachineScope; label: string }[] = [
  { scope: "directory:read", label: "Read the directory (profiles, lists, members)" },
  { scope: "events:read", label: "Read the change feed" },
  { scope: "webhooks:manage", label: "Manage webhook endpoints" },
];

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: MachineScope[];
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  createdBy: string;
}
export interface NewApiKey {
  name: string;
  scopes: MachineScope[];
  expiresAt?: string;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  status: "enabled" | "disabled";
  disabledReason: string | null;
  failingSince: string | null;
  secretRotatedAt: string;
  createdAt: string;
  updatedAt: string;
}
export interface DeliveryAttempt {
  at: string;
  status: number;
  latencyMs: number;
  excerpt: string;
}
export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  cursor: string;
  status: "pending" | "delivered" | "failed";
  attempts: DeliveryAttempt[];
  nextAttemptAt: string | null;
}
export interface FeedEvent {
  id: string;
  cursor: string;
  type: string;
  occurredAt: string;
  data: {
    object: string;
    id: string;
    displayName?: string;
    name?: string;
    summary?: string;
    memberEntraObjectId?: string;
    listEntraObjectId?: string;
  };
  cause: { taskId: string | null; trigger: string | null };
}

/** Event types an endpoint can be limited to, in the order the API reference lists them. */
export const EVENT_TYPES = [
  "profile.created",
  "profile.updated",
  "profile.deactivated",
  "profile.reactivated",
  "profile.deleted",
  "profile.restored",
  "profile.purged",
  "list.created",
  "list.updated",
  "list.deleted",
  "list.restored",
  "list.purged",
  "membership.added",
  "membership.removed",
  "connection.sync_finished",
  "connection.sync_halted",
  "connection.sync_failed",
  "connection.reauthorization_needed",
] as const;

const enc = encodeURIComponent;

export function developerApi(client: ApiClient) {
  return {
    apiKeys: () => client.request<{ items: ApiKey[] }>("GET", "/api/api-keys"),
    createApiKey: (body: NewApiKey) =>
      client.request<ApiKey & { key: string }>("POST", "/api/api-keys", { body }),
    revokeApiKey: (id: string) => client.request<ApiKey>("DELETE", `/api/api-keys/${enc(id)}`),
    webhooks: () => client.request<{ data: WebhookEndpoint[] }>("GET", "/api/v1/webhooks"),
    createWebhook: (body: { url: string; eventTypes: string[]; description?: string }) =>
      client.request<WebhookEndpoint & { secret: string }>("POST", "/api/v1/webhooks", { body }),
    setWebhookEnabled: (id: string, enabled: boolean) =>
      client.request<WebhookEndpoint>("PATCH", `/api/v1/webhooks/${enc(id)}`, { body: { enabled } }),
    removeWebhook: (id: string) => client.request<void>("DELETE", `/api/v1/webhooks/${enc(id)}`),
    rotateSecret: (id: string) =>
      client.request<WebhookEndpoint & { secret: string }>(
        "POST",
        `/api/v1/webhooks/${enc(id)}/rotate-secret`,
      ),
    testSend: (id: string) => client.request<DeliveryAttempt>("POST", `/api/v1/webhooks/${enc(id)}/test`),
    deliveries: (id: string, signal?: AbortSignal) =>
      client.request<{ data: WebhookDelivery[]; nextCursor: string | null }>(
        "GET",
        `/api/v1/webhooks/${enc(id)}/deliveries`,
        { query: { limit: 50 }, ...(signal ? { signal } : {}) },
      ),
    redeliver: (id: string, what: { eventId: string } | { after: string }) =>
      client.request<{ queued: number }>("POST", `/api/v1/webhooks/${enc(id)}/redeliver`, { body: what }),
    events: (after: string, signal?: AbortSignal) =>
      client.request<{ data: FeedEvent[]; nextCursor: string; hasMore: boolean }>("GET", "/api/v1/events", {
        query: { after, limit: 200 },
        ...(signal ? { signal } : {}),
      }),
  };
}
export type DeveloperApi = ReturnType<typeof developerApi>;
