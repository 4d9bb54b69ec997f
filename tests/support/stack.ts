import { randomUUID } from "node:crypto";
import { openStore, type Store } from "../../api/store/store.ts";
import { startLocalCosmos } from "../../dev/local-cosmos.ts";
import { ensureLocalCertificate } from "../../sim/tls.ts";

export const localCertificate = () => ensureLocalCertificate(".local/tls");

/** A local Cosmos server with a fresh database, reached through the real @azure/cosmos SDK. */
export async function startTestStore(): Promise<{
  store: Store;
  endpoint: string;
  key: string;
  database: string;
  close(): Promise<void>;
}> {
  const tls = await localCertificate();
  const cosmos = await startLocalCosmos(tls);
  const database = `test-${randomUUID().slice(0, 8)}`;
  const store = await openStore({ endpoint: cosmos.endpoint, key: cosmos.key, database });
  return {
    store,
    endpoint: cosmos.endpoint,
    key: cosmos.key,
    database,
    async close() {
      store.close();
      await cosmos.close();
    },
  };
}
