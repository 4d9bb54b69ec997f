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
  // includedPaths): every other indexed path would add to each write's request units and serve no query. The
  // compressed details (`deflated`, tens of kilobytes of base64) are only ever read whole.
  directoryEvents: ["/events/*", "/cause/*", "/occurredAt/?", "/deflated/?"],
  webhookEndpoints: ["/secrets/*"],
};

/** Paths indexed inside an excluded one: the more precise path wins. */
const includedPaths: Partial<Record<ContainerName, string[]>> = {
  directoryEvents: ["/events/[]/id/?", "/events/[]/eventType/?"],
};

type Order = "ascending" | "descending";
const asc = (path: string) => ({ path, order: "ascending" as Order });
const desc = (path: string) => ({ path, order: "descending" as Order });

/**
 * For the tab's pages, which filter on equality and sort (ORDER BY) within a tenant: with an index on the
 * filtered properties followed by the sorted one, Cosmos reads a page's documents in order from the index
 * instead of every match of the filter, so a page's request units follow the page size, not the tenant's.
 */
const compositeIndexes: Partial<Record<ContainerName, { path: string; order: Order }[][]>> = {
  profiles: [
    [asc("/tenantId"), asc("/status"), asc("/displayName")],
    [asc("/tenantId"), asc("/connectionId"), asc("/displayName")],
  ],
  lists: [
    [asc("/tenantId"), asc("/status"), asc("/name")],
    [asc("/tenantId"), asc("/connectionId"), asc("/name")],
  ],
  memberships: [
    [asc("/tenantId"), asc("/listId"), asc("/memberSourceId")],
    [asc("/tenantId"), asc("/memberSourceId"), asc("/listId")],
  ],
  tasks: [
    [asc("/tenantId"), desc("/createdAt")],
    [asc("/tenantId"), asc("/connectionId"), desc("/createdAt")],
  ],
  taskRecords: [
    [asc("/tenantId"), asc("/taskId"), asc("/name")],
    [asc("/tenantId"), asc("/taskId"), asc("/action"), asc("/name")],
    [asc("/tenantId"), asc("/taskId"), asc("/kind"), asc("/name")],
  ],
};

export function containerDefinition(name: ContainerName): ContainerDefinition {
  return {
    id: name,
    partitionKey: { paths: [PARTITION_KEY_PATH] },
    indexingPolicy: {
      indexingMode: "consistent",
      includedPaths: [{ path: "/*" }, ...(includedPaths[name] ?? []).map((path) => ({ path }))],
      excludedPaths: [{ path: '/"_etag"/?' }, ...(excludedPaths[name] ?? []).map((path) => ({ path }))],
      compositeIndexes: compositeIndexes[name] ?? [],
    },
  };
}
