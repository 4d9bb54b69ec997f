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
] as const;

export type ContainerName = (typeof CONTAINER_NAMES)[number];

const PARTITION_KEY_PATH = "/tenantId";

const excludedPaths: Partial<Record<ContainerName, string[]>> = {
  tasks: ["/checkpoint/*"],
  photos: ["/data/?"],
  syncState: ["/deltaLink/?", "/nextLink/?"],
  directoryEvents: ["/data/*", "/changes/*"],
  webhookEndpoints: ["/secrets/*"],
};

export function containerDefinition(name: ContainerName): ContainerDefinition {
  return {
    id: name,
    partitionKey: { paths: [PARTITION_KEY_PATH] },
    indexingPolicy: {
      indexingMode: "consistent",
      includedPaths: [{ path: "/*" }],
      excludedPaths: [{ path: '/"_etag"/?' }, ...(excludedPaths[name] ?? []).map((path) => ({ path }))],
    },
  };
}
