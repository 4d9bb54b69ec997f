import type { ContainerDefinition } from "@azure/cosmos";

/**
 * Every container is partitioned by the customer's Entra tenant id, so a tenant's data lives together and a
 * query without the tenant filter is a bug. Names match infra/main.bicep.
 */
export const CONTAINER_NAMES = [
  "connections",
  "profiles",
  "lists",
  "memberships",
  "tasks",
  "taskRecords",
  "syncState",
  "conversations",
  "leases",
  "audit",
  "attributeDefinitions",
  "photos",
  "events",
  "sessions",
  "apiKeys",
  "directoryEvents",
  "feedState",
  "webhookEndpoints",
  "webhookDeliveries",
  "welcomeNotices",
] as const;

export type ContainerName = (typeof CONTAINER_NAMES)[number];

const PARTITION_KEY_PATH = "/tenantId";

const excludedPaths: Partial<Record<ContainerName, string[]>> = {
  tasks: ["/checkpoint/*"],
  photos: ["/data/?"],
  syncState: ["/deltaLink/?", "/nextLink/?"],
  // Event packs are queried by type, firstSeq, lastSeq and expiresAt, and by their events' ids and types (see
  // includedPaths): every other indexed path would add to each write's request units and serve no query.
  directoryEvents: ["/events/*", "/cause/*", "/occurredAt/?"],
  webhookEndpoints: ["/secrets/*"],
};

/** Paths indexed inside an excluded one: the more precise path wins. */
const includedPaths: Partial<Record<ContainerName, string[]>> = {
  directoryEvents: ["/events/[]/id/?", "/events/[]/eventType/?"],
};

export function containerDefinition(name: ContainerName): ContainerDefinition {
  return {
    id: name,
    partitionKey: { paths: [PARTITION_KEY_PATH] },
    indexingPolicy: {
      indexingMode: "consistent",
      includedPaths: [{ path: "/*" }, ...(includedPaths[name] ?? []).map((path) => ({ path }))],
      excludedPaths: [{ path: '/"_etag"/?' }, ...(excludedPaths[name] ?? []).map((path) => ({ path }))],
    },
  };
}
