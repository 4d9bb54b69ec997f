import { Agent } from "node:https";
import { CosmosClient, type CosmosClientOptions, type Database, type PluginConfig } from "@azure/cosmos";
import { CONTAINER_NAMES, containerDefinition } from "./containers.ts";
import { cosmosTelemetry } from "./telemetry-plugin.ts";

export interface CosmosSettings {
  endpoint: string;
  /** Account key; without one the client authenticates with the host's managed identity. */
  key?: string;
  database: string;
}

export async function createCosmosClient(settings: CosmosSettings): Promise<CosmosClient> {
  // `plugins` is a supported client option that the SDK's type declarations leave out.
  const common: Omit<CosmosClientOptions, "key" | "aadCredentials"> & { plugins: PluginConfig[] } = {
    endpoint: settings.endpoint,
    plugins: [cosmosTelemetry],
    // Keep-alive makes point writes several times faster; discovery is pointless for a single region.
    agent: new Agent({ keepAlive: true, maxSockets: 64 }),
    connectionPolicy: { enableEndpointDiscovery: false },
  };
  if (settings.key) return new CosmosClient({ ...common, key: settings.key });
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new CosmosClient({ ...common, aadCredentials: new DefaultAzureCredential() });
}

/** Creates the database and containers when missing; idempotent, safe to run at every start. */
export async function ensureDatabase(client: CosmosClient, databaseId: string): Promise<Database> {
  const { database } = await client.databases.createIfNotExists({ id: databaseId });
  for (const name of CONTAINER_NAMES) {
    await database.containers.createIfNotExists(containerDefinition(name));
  }
  return database;
}
