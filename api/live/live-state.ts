import type { Problem } from "../domain/problem.ts";
import type { TenantDocument, TenantRepository } from "../store/repository.ts";
import type { Store } from "../store/store.ts";

export type LiveResource = "users" | "groups";

/** One Graph subscription the product holds for a connection. */
export interface LiveSubscription {
  resource: LiveResource;
  /** Graph's subscription id. */
  id: string;
  expiresAt: string;
  /** SHA-256 of the clientState secret (api/live/client-state.ts); the secret itself is never stored. */
  clientStateHash: string;
  createdAt: string;
  renewedAt?: string;
}

/**
 * Whether a connection is woken by Graph change notifications ("live") or runs on its schedule only, and
 * why. Kept in the syncState container (it is per-connection sync state) under `live.{connectionId}`.
 */
export interface LiveSyncDoc extends TenantDocument {
  type: "liveSync";
  connectionId: string;
  /** "off": unsubscribed because the connection was switched off; only its next sync subscribes again. */
  state: "live" | "schedule-only" | "off";
  /** Why the connection is on its schedule only: cause and remedy. */
  problem?: Problem & { since: string };
  subscriptions: LiveSubscription[];
  /** Graph subscription ids, for the lookup of an incoming notification. */
  subscriptionIds: string[];
  lastNotificationAt?: string;
  lastLifecycle?: { event: string; at: string };
  updatedAt: string;
}

export const liveStateId = (connectionId: string) => `live.${connectionId}`;

export const liveRepository = (store: Store) => store.syncState as unknown as TenantRepository<LiveSyncDoc>;

/** The connection a notification's subscription belongs to, within the tenant the notification names. */
export async function findBySubscription(
  store: Store,
  tenantId: string,
  subscriptionId: string,
): Promise<LiveSyncDoc | undefined> {
  const [doc] = await liveRepository(store).all(tenantId, {
    where: "c.type = 'liveSync' AND ARRAY_CONTAINS(c.subscriptionIds, @s)",
    parameters: [{ name: "@s", value: subscriptionId }],
  });
  return doc;
}
