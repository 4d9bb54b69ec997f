import type { CosmosClient, Database } from "@azure/cosmos";
import { type CosmosSettings, createCosmosClient, ensureDatabase } from "./cosmos.ts";
import type {
  ApiKeyDoc,
  AttributeDefinitionDoc,
  AuditDoc,
  ConnectionDoc,
  ConversationDoc,
  DirectoryEventPackDoc,
  EventDoc,
  FeedStateDoc,
  LeaseDoc,
  ListDoc,
  MembershipDoc,
  PhotoDoc,
  ProfileDoc,
  ScimStateDoc,
  SessionDoc,
  SyncStateDoc,
  TaskDoc,
  TaskRecordDoc,
  WebhookDeliveryDoc,
  WebhookEndpointDoc,
  WelcomeDoc,
} from "./documents.ts";
import { StoreMetrics } from "./metrics.ts";
import { TenantRepository } from "./repository.ts";

export interface Store {
  connections: TenantRepository<ConnectionDoc>;
  profiles: TenantRepository<ProfileDoc>;
  lists: TenantRepository<ListDoc>;
  memberships: TenantRepository<MembershipDoc>;
  tasks: TenantRepository<TaskDoc>;
  taskRecords: TenantRepository<TaskRecordDoc>;
  syncState: TenantRepository<SyncStateDoc>;
  /** Push connections' state, in the syncState container beside the pull connections' delta state. */
  scimState: TenantRepository<ScimStateDoc>;
  conversations: TenantRepository<ConversationDoc>;
  leases: TenantRepository<LeaseDoc>;
  audit: TenantRepository<AuditDoc>;
  attributeDefinitions: TenantRepository<AttributeDefinitionDoc>;
  photos: TenantRepository<PhotoDoc>;
  events: TenantRepository<EventDoc>;
  sessions: TenantRepository<SessionDoc>;
  apiKeys: TenantRepository<ApiKeyDoc>;
  directoryEvents: TenantRepository<DirectoryEventPackDoc>;
  feedState: TenantRepository<FeedStateDoc>;
  webhookEndpoints: TenantRepository<WebhookEndpointDoc>;
  webhookDeliveries: TenantRepository<WebhookDeliveryDoc>;
  /** Welcome notices, one per person and connection, and each connection's welcome progress. */
  welcomeNotices: TenantRepository<WelcomeDoc>;
  metrics: StoreMetrics;
  /** Answers whether the database can be reached, for /readyz. */
  ping(): Promise<void>;
  close(): void;
}

export async function openStore(settings: CosmosSettings): Promise<Store> {
  const client = await createCosmosClient(settings);
  const database = await ensureDatabase(client, settings.database);
  return storeOver(client, database);
}

function storeOver(client: CosmosClient, database: Database): Store {
  const metrics = new StoreMetrics();
  const repo = <T extends { id: string; tenantId: string }>(name: string, what: string) =>
    new TenantRepository<T>(database.container(name), what, metrics);
  return {
    connections: repo("connections", "Connection"),
    profiles: repo("profiles", "Profile"),
    lists: repo("lists", "List"),
    memberships: repo("memberships", "Membership"),
    tasks: repo("tasks", "Task"),
    taskRecords: repo("taskRecords", "Task record"),
    syncState: repo("syncState", "Sync state"),
    scimState: repo("syncState", "SCIM state"),
    conversations: repo("conversations", "Conversation"),
    leases: repo("leases", "Lease"),
    audit: repo("audit", "Audit entry"),
    attributeDefinitions: repo("attributeDefinitions", "Attribute definition"),
    photos: repo("photos", "Photo"),
    events: repo("events", "Event"),
    sessions: repo("sessions", "Session"),
    apiKeys: repo("apiKeys", "API key"),
    directoryEvents: repo("directoryEvents", "Directory event pack"),
    feedState: repo("feedState", "Change feed state"),
    webhookEndpoints: repo("webhookEndpoints", "Webhook endpoint"),
    webhookDeliveries: repo("webhookDeliveries", "Webhook delivery"),
    welcomeNotices: repo("welcomeNotices", "Welcome notice"),
    metrics,
    async ping() {
      await database.read();
    },
    close() {
      client.dispose();
    },
  };
}
