import { createRequire } from "node:module";
import { CosmosClient, type JSONObject } from "@azure/cosmos";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDatabase } from "../../api/store/cosmos.ts";
import { type LocalCosmos, startLocalCosmos } from "../../dev/local-cosmos.ts";
import { localCertificate } from "../support/stack.ts";

const require = createRequire(import.meta.url);
type Engine = (sql: string) => {
  exec(
    docs: JSONObject[],
    options: { parameters: { name: string; value: unknown }[]; maxItemCount: number; continuation?: unknown },
  ): { result: JSONObject[]; continuation: { token: string } | null };
};
/** The server's own engine: what an unindexed query computes over every document of the container. */
const engine: Engine = require("@zeit/cosmosdb-query").default;

const database = "index-test";
let cosmos: LocalCosmos;
let client: CosmosClient;

beforeAll(async () => {
  cosmos = await startLocalCosmos(await localCertificate());
  client = new CosmosClient({
    endpoint: cosmos.endpoint,
    key: cosmos.key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  await ensureDatabase(client, database);
  // Values of every kind under the indexed properties, so "equal" has to mean exactly what the engine means.
  const odd: unknown[] = [1, "1", true, null, { l: 1 }, ["l1"], undefined];
  const docs = Array.from({ length: 3000 }, (_, i) => ({
    id: `m${i}`,
    tenantId: i % 10 === 0 ? "t2" : "t1",
    listId: i % 97 === 0 ? odd[i % odd.length] : `l${i % 13}`,
    memberSourceId: `u${(i * 7919) % 1000}`,
    name: i % 5 === 0 ? undefined : `Name ${(i * 31) % 17}`,
  }));
  cosmos.documents.upsert(database, "memberships", docs as JSONObject[]);
});
afterAll(async () => {
  client.dispose();
  await cosmos.close();
});

const QUERIES: { sql: string; parameters: { name: string; value: unknown }[]; pageSize?: number }[] = [
  {
    sql: "SELECT * FROM c WHERE c.tenantId = @tenantId AND (c.listId = @l) ORDER BY c.memberSourceId ASC",
    parameters: [
      { name: "@tenantId", value: "t1" },
      { name: "@l", value: "l3" },
    ],
  },
  {
    sql: "SELECT * FROM c WHERE c.tenantId = @tenantId AND (c.listId = @l AND CONTAINS(c.name, @q)) ORDER BY c.name DESC",
    parameters: [
      { name: "@tenantId", value: "t1" },
      { name: "@l", value: "l5" },
      { name: "@q", value: "Name 1" },
    ],
  },
  // Equal in the engine's sense only: the number 1 is not the string "1", and no object equals by index.
  ...[1, "1", true, { l: 1 }, ["l1"], "missing"].map((value) => ({
    sql: "SELECT VALUE c FROM c WHERE c.tenantId = @tenantId AND (c.listId = @l)",
    parameters: [
      { name: "@tenantId", value: "t1" },
      { name: "@l", value },
    ],
  })),
  // Sorted on one property over more documents than are worth sorting from scratch: handed over presorted.
  ...["c.name DESC", "c.listId ASC", "c.memberSourceId ASC", "c.id DESC"].map((order) => ({
    sql: `SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY ${order}`,
    parameters: [{ name: "@tenantId", value: "t1" }],
    pageSize: 300,
  })),
  {
    sql: "SELECT c.id, c.name FROM c WHERE c.tenantId = @tenantId AND CONTAINS(c.memberSourceId, @q) ORDER BY c.name ASC",
    parameters: [
      { name: "@tenantId", value: "t1" },
      { name: "@q", value: "1" },
    ],
    pageSize: 100,
  },
  // Equalities under OR or NOT cannot narrow the documents; the answer must still be right.
  {
    sql: "SELECT * FROM r WHERE r.tenantId = @tenantId AND (r.listId = @l OR r.listId = @m) ORDER BY r.id ASC",
    parameters: [
      { name: "@tenantId", value: "t2" },
      { name: "@l", value: "l1" },
      { name: "@m", value: "l2" },
    ],
  },
  {
    sql: "SELECT c.id FROM c WHERE c.tenantId = @tenantId AND NOT (c.listId = @l)",
    parameters: [
      { name: "@tenantId", value: "t2" },
      { name: "@l", value: "l1" },
    ],
  },
];

/** Every page through the server (indexed) and through the engine over every document (not indexed). */
async function bothWays(sql: string, parameters: { name: string; value: unknown }[], pageSize: number) {
  const container = client.database(database).container("memberships");
  const served: JSONObject[][] = [];
  const iterator = container.items.query<JSONObject>(
    { query: sql, parameters: parameters as never },
    { maxItemCount: pageSize, partitionKey: String(parameters[0]?.value) },
  );
  while (iterator.hasMoreResults()) {
    const { resources } = await iterator.fetchNext();
    if (resources.length > 0) served.push(resources);
  }
  const all = cosmos.documents.all(database, "memberships") ?? [];
  const expected: JSONObject[][] = [];
  let continuation: unknown;
  do {
    const page = engine(sql).exec(all, { parameters, maxItemCount: pageSize, continuation });
    if (page.result.length > 0) expected.push(page.result);
    continuation = page.continuation ?? undefined;
  } while (continuation);
  return { served, expected };
}

describe("the local Cosmos server's equality indexes", () => {
  it("are in use", () => {
    expect(cosmos.queriesIndexed).toBe(true);
  });

  it("answer every query with the same documents, pages and order as a scan of the whole container", async () => {
    for (const { sql, parameters, pageSize } of QUERIES) {
      const { served, expected } = await bothWays(sql, parameters, pageSize ?? 7);
      expect(served, `${sql} ${JSON.stringify(parameters)}`).toEqual(expected);
    }
    // Not a vacuous comparison: the list query has matches over several pages.
    const { served } = await bothWays(QUERIES[0]?.sql as string, QUERIES[0]?.parameters ?? [], 7);
    expect(served.length).toBeGreaterThan(3);
  });

  it("follow every write: creates, replaces that move a document to another value, and deletes", async () => {
    const container = client.database(database).container("memberships");
    const first = QUERIES[0] as (typeof QUERIES)[number];
    // Read once so the index exists before the writes it has to follow.
    await bothWays(first.sql, first.parameters, 7);
    await container.items.create({ id: "new1", tenantId: "t1", listId: "l3", memberSourceId: "u0001" });
    const { resource: moved } = await container.item("m3", "t1").read<JSONObject>();
    await container.item("m3", "t1").replace({ ...moved, listId: "l3", memberSourceId: "a-first" });
    const { resource: leaving } = await container.item("m16", "t1").read<JSONObject>();
    expect(leaving?.listId).toBe("l3");
    await container.item("m16", "t1").replace({ ...leaving, listId: "l4" });
    await container.item("m29", "t1").delete();
    await container.items.upsert({ id: "m42", tenantId: "t1", listId: "l3", memberSourceId: "u0002" });
    for (const { sql, parameters, pageSize } of QUERIES) {
      const { served, expected } = await bothWays(sql, parameters, (pageSize ?? 7) - 2);
      expect(served, `${sql} ${JSON.stringify(parameters)}`).toEqual(expected);
    }
    const { served } = await bothWays(first.sql, first.parameters, 500);
    const ids = served.flat().map((d) => d.id);
    expect(ids).toContain("new1");
    expect(ids[0]).toBe("m3");
    expect(ids).not.toContain("m16");
    expect(ids).not.toContain("m29");
  });
});
