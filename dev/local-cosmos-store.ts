import { createRequire } from "node:module";
import type { JSONObject } from "@azure/cosmos";

/**
 * Direct access to the local Cosmos server's in-memory documents, for saving and restoring `npm start`'s
 * data. Through HTTP a restore cost one bulk request per 100 documents, each held about a second by the SDK
 * (measured: 46k documents took 7m56s), and a save read every container page by page, each page scanning
 * the whole container again (13.7 s for the same data, every 30 s). The server keeps its account in a
 * closure, so the account is caught as it is created; nothing else about the server changes.
 */

/** The server's per-container document store (lib/account/items.js). */
interface ServerDocuments {
  _data: Map<string, { read(): JSONObject | undefined }>;
  upsert(doc: JSONObject): JSONObject;
}

interface ServerAccount {
  database(id: string): {
    read(): unknown;
    collection(id: string): { read(): unknown; documents: ServerDocuments };
  };
}

export interface LocalDocuments {
  /** Every document of a container, as stored (system properties included); undefined if it does not exist. */
  all(databaseId: string, containerId: string): JSONObject[] | undefined;
  /** Inserts or replaces documents exactly as an upsert through the API would (new `_etag`, `_rid`, `_ts`). */
  upsert(databaseId: string, containerId: string, docs: JSONObject[]): void;
  /** Counts writes (creates, replaces, deletes) to any local server in this process, to skip idle saves. */
  writes(): number;
}

let caught: ServerAccount | undefined;
let writeCount = 0;
let hooked = false;

/** Call right before the server starts listening; `takeAccount` right after. */
export function catchNextAccount(): void {
  if (hooked) return;
  hooked = true;
  const require = createRequire(import.meta.url);
  const accountModule = require("@vercel/cosmosdb-server/lib/account") as {
    default: new (host: string, port: number) => ServerAccount;
  };
  const Original = accountModule.default;
  accountModule.default = class extends Original {
    constructor(host: string, port: number) {
      super(host, port);
      caught = this;
    }
  };
  const items = require("@vercel/cosmosdb-server/lib/account/items").default as {
    prototype: Record<"_set" | "delete", (...args: unknown[]) => unknown>;
  };
  for (const method of ["_set", "delete"] as const) {
    const original = items.prototype[method];
    items.prototype[method] = function (this: unknown, ...args: unknown[]) {
      writeCount++;
      return original.apply(this, args);
    };
  }
}

export function takeAccount(): LocalDocuments {
  const account = caught;
  caught = undefined;
  if (!account) throw new Error("the local Cosmos server created no account");
  const documentsOf = (databaseId: string, containerId: string) => {
    const database = account.database(databaseId);
    if (!database.read()) return undefined;
    const collection = database.collection(containerId);
    return collection.read() ? collection.documents : undefined;
  };
  return {
    all(databaseId, containerId) {
      const documents = documentsOf(databaseId, containerId);
      if (!documents) return undefined;
      const out: JSONObject[] = [];
      for (const item of documents._data.values()) {
        const doc = item.read();
        if (doc) out.push(doc);
      }
      return out;
    },
    upsert(databaseId, containerId, docs) {
      const documents = documentsOf(databaseId, containerId);
      if (!documents) throw new Error(`container ${databaseId}/${containerId} does not exist`);
      for (const doc of docs) documents.upsert(doc);
    },
    writes: () => writeCount,
  };
}
