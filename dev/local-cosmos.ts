import type { AddressInfo } from "node:net";
import { createHttpsServer } from "@vercel/cosmosdb-server";
import { speedUpLocalCosmosParsing } from "./cosmos-query-parser.ts";
import { patchLocalCosmosQueries } from "./cosmos-query-patch.ts";
import { indexLocalCosmosQueries } from "./local-cosmos-index.ts";
import { refuseQueryPlans } from "./local-cosmos-query-plan.ts";
import { catchNextAccount, type LocalDocuments, takeAccount } from "./local-cosmos-store.ts";

/** The key every Cosmos emulator accepts; the local server does not check it, real accounts never see it. */
const LOCAL_COSMOS_KEY =
  "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

export interface LocalCosmos {
  endpoint: string;
  key: string;
  /** Whether the server's quadratic query engine was replaced (see cosmos-query-patch.ts). */
  queriesPatched: boolean;
  /** Whether queries filtering on `c.<property> = @<parameter>` read only the matching documents. */
  queriesIndexed: boolean;
  /** Whether a query's SQL is parsed and compiled once per text, in milliseconds (see cosmos-query-parser.ts). */
  queriesParsedOnce: boolean;
  /** The server's documents in memory, for saving and restoring local data without HTTP. */
  documents: LocalDocuments;
  close(): Promise<void>;
}

/** Starts the Cosmos-protocol server on localhost with our certificate (its bundled one expired in 2021). */
export async function startLocalCosmos(tls: { cert: string; key: string }, port = 0): Promise<LocalCosmos> {
  const queriesPatched = patchLocalCosmosQueries();
  const queriesIndexed = indexLocalCosmosQueries();
  const queriesParsedOnce = speedUpLocalCosmosParsing();
  catchNextAccount();
  const server = createHttpsServer({ cert: tls.cert, key: tls.key, keepAlive: true } as never);
  refuseQueryPlans(server);
  // The server creates its account when it starts listening, just before this callback runs.
  const documents = await new Promise<LocalDocuments>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(takeAccount()));
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    endpoint: `https://localhost:${actualPort}`,
    key: LOCAL_COSMOS_KEY,
    queriesPatched,
    queriesIndexed,
    queriesParsedOnce,
    documents,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
