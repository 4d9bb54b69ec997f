import type { ApiKey, CreatedApiKey, NewApiKey } from "../../../api/contract/api-keys.ts";
import type { FeedPage } from "../../../api/contract/change-feed.ts";
import {
  MACHINE_SCOPES as CONTRACT_SCOPES,
  type MachineScope,
} from "../../../api/contract/machine-scopes.ts";
import type {
  DeliveryAttempt,
  NewWebhookEndpoint,
  Redeliver,
  RedeliverAnswer,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointPatch,
  WebhookEndpointWithSecret,
} from "../../../api/contract/webhooks.ts";
import { DIRECTORY_EVENT_TYPES, type DirectoryEventType } from "../../../api/domain/event-types.ts";
import type { ApiClient } from "./client.ts";

/**
 * What the "API and webhooks" screen reads and changes: the tenant's API keys (/api/api-keys) and its webhook
 * endpoints and change feed (/api/v1, which admins reach with their own session). The bodies are the
 * contract's (api/contract), the same shapes the Directory API publishes for applications.
 */
export type { ApiKey } from "../../../api/contract/api-keys.ts";
export type { FeedEvent } from "../../../api/contract/change-feed.ts";
export type { MachineScope } from "../../../api/contract/machine-scopes.ts";
export type { WebhookDelivery, WebhookEndpoint } from "../../../api/contract/webhooks.ts";

/** What the scopes are called on the page, in the contract's order. */
const SCOPE_LABELS: Record<MachineScope, string> = {
  "directory:read": "Read the directory (profiles, lists, members)",
  "events:read": "Read the change feed",
  "webhooks:manage": "Manage webhook endpoints",
};
export const MACHINE_SCOPES = CONTRACT_SCOPES.map((scope) => ({ scope, label: SCOPE_LABELS[scope] }));

/** Event types an endpoint can be limited to, in the order the API reference lists them. */
export const EVENT_TYPES = DIRECTORY_EVENT_TYPES;
export type { DirectoryEventType };
export const isEventType = (v: string): v is DirectoryEventType =>
  (EVENT_TYPES as readonly string[]).includes(v);

const enc = encodeURIComponent;

export function developerApi(client: ApiClient) {
  return {
    apiKeys: () => client.request<{ items: ApiKey[] }>("GET", "/api/api-keys"),
    createApiKey: (body: NewApiKey) => client.request<CreatedApiKey>("POST", "/api/api-keys", { body }),
    revokeApiKey: (id: string) => client.request<ApiKey>("DELETE", `/api/api-keys/${enc(id)}`),
    webhooks: () => client.request<WebhookEndpointList>("GET", "/api/v1/webhooks"),
    createWebhook: (body: NewWebhookEndpoint) =>
      client.request<WebhookEndpointWithSecret>("POST", "/api/v1/webhooks", { body }),
    setWebhookEnabled: (id: string, enabled: boolean) =>
      client.request<WebhookEndpoint>("PATCH", `/api/v1/webhooks/${enc(id)}`, {
        body: { enabled } satisfies WebhookEndpointPatch,
      }),
    removeWebhook: (id: string) => client.request<void>("DELETE", `/api/v1/webhooks/${enc(id)}`),
    rotateSecret: (id: string) =>
      client.request<WebhookEndpointWithSecret>("POST", `/api/v1/webhooks/${enc(id)}/rotate-secret`),
    testSend: (id: string) => client.request<DeliveryAttempt>("POST", `/api/v1/webhooks/${enc(id)}/test`),
    deliveries: (id: string, signal?: AbortSignal) =>
      client.request<WebhookDeliveryPage>("GET", `/api/v1/webhooks/${enc(id)}/deliveries`, {
        query: { limit: 50 },
        ...(signal ? { signal } : {}),
      }),
    redeliver: (id: string, what: Redeliver) =>
      client.request<RedeliverAnswer>("POST", `/api/v1/webhooks/${enc(id)}/redeliver`, { body: what }),
    events: (after: string, signal?: AbortSignal) =>
      client.request<FeedPage>("GET", "/api/v1/events", {
        query: { after, limit: 200 },
        ...(signal ? { signal } : {}),
      }),
  };
}
export type DeveloperApi = ReturnType<typeof developerApi>;
