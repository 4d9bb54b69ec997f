import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { CosmosClient, JSONObject } from "@azure/cosmos";
import { CONTAINER_NAMES } from "../api/store/containers.ts";

type Snapshot = Record<string, JSONObject[]>;

const SYSTEM_PROPERTIES = ["_rid", "_self", "_etag", "_attachments", "_ts"];

/**
 * The local Cosmos server keeps data in memory only. `npm start` saves every container to a file under
 * .local/ (git-ignored) and loads it at the next start, so local work survives a restart.
 */
export async function saveSnapshot(client: CosmosClient, databaseId: string, file: string): Promise<number> {
  const database = client.database(databaseId);
  const snapshot: Snapshot = {};
  let count = 0;
  for (const name of CONTAINER_NAMES) {
    const { resources } = await database.container(name).items.readAll<JSONObject>().fetchAll();
    snapshot[name] = resources.map((doc) => {
      const copy = { ...doc };
      for (const p of SYSTEM_PROPERTIES) delete copy[p];
      return copy;
    });
    count += resources.length;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Every profile of every tenant is in here: owner-only, like the key files next to it. `mode` applies
  // only when the file is created, so a temporary file left behind by an older version is tightened too.
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(snapshot), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return count;
}

export async function loadSnapshot(client: CosmosClient, databaseId: string, file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const database = client.database(databaseId);
  let count = 0;
  for (const name of CONTAINER_NAMES) {
    const docs = snapshot[name] ?? [];
    const container = database.container(name);
    for (let i = 0; i < docs.length; i += 100) {
      const chunk = docs.slice(i, i + 100);
      await container.items.executeBulkOperations(
        chunk.map((doc) => ({
          operationType: "Upsert",
          partitionKey: String(doc.tenantId),
          resourceBody: doc,
        })),
      );
    }
    count += docs.length;
  }
  return count;
}
