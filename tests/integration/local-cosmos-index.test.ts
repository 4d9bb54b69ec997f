import { request } from "node:https";
import { createRequire } from "node:module";
import { CosmosClient, type JSONObject } from "@azure/cosmos";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDatabase } from "../../api/store/cosmos.ts";
import { type LocalCosmos, startLocalCosmos } from "../../dev/local-cosmos.ts";
import { localCertificate } from "../support/stack.ts";
import { loadUnpatchedEngine } from "../support/unpatched-cosmos-query.ts";

const require = createRequire(import.meta.url);
/** The server's own engine as it was before dev/ changed anything: a query over every document. */
const engine = loadUnpatchedEngine();

type Parameters = { name: string; value: unknown }[];
interface ServerItems {
  _data: Map<string, unknown>;
  query(params: { query: string }, options: object): unknown;
}
const Items: { prototype: ServerItems } = require("@vercel/cosmosdb-server/lib/account/items").default;

const database = "index-test";
let cosmos: LocalCosmos;
let client: CosmosClient;
const memberships = () => client.database(database).container("memberships");

beforeAll(async () => {
  cosmos = await startLocalCosmos(await localCertificate());
  client = new CosmosClient({
    endpoint: cosmos.endpoint,
    key: cosmos.key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  await ensureDatabase(client, database);
  // Values of every kind under the indexed and sorted properties, so "equal" and "in order" have to mean
  // exactly what the engine means. The engine over every document is quadratic, so the container is small.
  const odd: unknown[] = [1, "1", true, null, { l: 1 }, ["l1"], undefined];
  const ranks: unknown[] = [3, "3", null, false, true, { r: 1 }, undefined, -1, "a", 2.5, { r: 0 }];
  const docs = Array.from({ length: 1500 }, (_, i) => ({
    id: `m${i}`,
    tenantId: i % 10 === 0 ? "t2" : "t1",
    listId: i % 97 === 0 ? odd[i % odd.length] : `l${i % 13}`,
    memberSourceId: `u${(i * 7919) % 1000}`,
    name: i % 5 === 0 ? undefined : `Name ${(i * 31) % 17}`,
    rank: i % 3 === 0 ? ranks[i % ranks.length] : (i * 13) % 50,
    items: [{ n: i % 4 }, { n: (i * 3) % 5 }],
  }));
  cosmos.documents.upsert(database, "memberships", docs as JSONObject[]);
});
afterAll(async () => {
  client.dispose();
  await cosmos.close();
});

const t1: Parameters = [{ name: "@tenantId", value: "t1" }];

const QUERIES: { sql: string; parameters: Parameters; pageSize?: number }[] = [
  {
    sql: "SELECT * FROM c WHERE c.tenantId = @tenantId AND (c.listId = @l) ORDER BY c.memberSourceId ASC",
    parameters: [...t1, { name: "@l", value: "l3" }],
  },
  {
    sql: "SELECT * FROM c WHERE c.tenantId = @tenantId AND (c.listId = @l AND CONTAINS(c.name, @q)) ORDER BY c.name DESC",
    parameters: [...t1, { name: "@l", value: "l5" }, { name: "@q", value: "Name 1" }],
  },
  // Equal in the engine's sense only: the number 1 is not the string "1", and no object equals by index.
  ...[1, "1", true, { l: 1 }, ["l1"], "missing"].map((value) => ({
    sql: "SELECT VALUE c FROM c WHERE c.tenantId = @tenantId AND (c.listId = @l)",
    parameters: [...t1, { name: "@l", value }],
  })),
  // Sorted on one property over more documents than are worth sorting from scratch: read from the sorted
  // copy, a page at a time, with pages that end inside and across its windows.
  ...["c.name DESC", "c.memberSourceId ASC", "c.id DESC", "c.rank ASC", "c.rank DESC"].flatMap((order) =>
    [40, 300].map((pageSize) => ({
      sql: `SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY ${order}`,
      parameters: t1,
      pageSize,
    })),
  ),
  // Arrays among the sorted values: the engine's order then depends on how it was handed the documents.
  {
    sql: "SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.listId ASC",
    parameters: t1,
    pageSize: 100,
  },
  // Searches: many matches, few (the window has to grow), none (it grows to the end); one a page.
  ...["1", "u99", "u1", "nobody"].map((q) => ({
    sql: "SELECT c.id, c.name FROM c WHERE c.tenantId = @tenantId AND CONTAINS(c.memberSourceId, @q) ORDER BY c.name ASC",
    parameters: [...t1, { name: "@q", value: q }],
    pageSize: 3,
  })),
  // Counted from the first match or read whole: TOP and aggregates cannot start in the middle.
  {
    sql: "SELECT TOP 40 c.id FROM c WHERE c.tenantId = @tenantId ORDER BY c.memberSourceId ASC",
    parameters: t1,
    pageSize: 7,
  },
  {
    sql: "SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @tenantId ORDER BY c.memberSourceId ASC",
    parameters: t1,
    pageSize: 7,
  },
  // No page size: the whole answer at once, from the sorted copy; the subquery sorts its own rows.
  {
    sql: "SELECT c.id, ARRAY(SELECT VALUE i.n FROM i IN c.items ORDER BY i.n DESC) AS ns FROM c WHERE c.tenantId = @tenantId ORDER BY c.name ASC",
    parameters: t1,
    pageSize: 0,
  },
  {
    sql: "SELECT c.id FROM c WHERE c.tenantId = @tenantId AND EXISTS(SELECT VALUE i FROM i IN c.items WHERE i.n = @n) ORDER BY c.rank DESC",
    parameters: [...t1, { name: "@n", value: 3 }],
    pageSize: 11,
  },
  // One of a list of values: only values equal to themselves alone narrow the documents.
  ...[
    ["u1", "u2", "u1", "u500", "nobody"],
    ["u7", 1, true, "1"],
    ["u7", { l: 1 }],
    ["u7", null],
    [],
    "u7",
  ].map((ids) => ({
    sql: "SELECT c.id, c.memberSourceId FROM c WHERE c.tenantId = @tenantId AND ARRAY_CONTAINS(@ids, c.memberSourceId)",
    parameters: [...t1, { name: "@ids", value: ids }],
    pageSize: 4,
  })),
  {
    sql: "SELECT * FROM c WHERE c.tenantId = @tenantId AND ARRAY_CONTAINS(@ids, c.listId) ORDER BY c.name DESC",
    parameters: [...t1, { name: "@ids", value: ["l1", "l2", 1, "1", true] }],
    pageSize: 30,
  },
  {
    sql: "SELECT * FROM c WHERE c.tenantId = @tenantId AND ARRAY_CONTAINS(@ids, c.listId, true)",
    parameters: [...t1, { name: "@ids", value: [{ l: 1 }, "l4"] }],
    pageSize: 30,
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

/** Every page through the server from a continuation token (or the start), with the server's tokens. */
async function served(sql: string, parameters: Parameters, pageSize: number, continuationToken?: string) {
  const iterator = memberships().items.query<JSONObject>(
    { query: sql, parameters: parameters as never },
    {
      ...(pageSize > 0 ? { maxItemCount: pageSize } : {}),
      partitionKey: String(parameters[0]?.value),
      ...(continuationToken ? { continuationToken } : {}),
    },
  );
  const pages: JSONObject[][] = [];
  const tokens: (string | undefined)[] = [];
  let requests = 0;
  while (iterator.hasMoreResults()) {
    requests++;
    const { resources, continuationToken: next } = await iterator.fetchNext();
    if (resources.length > 0 || next) {
      pages.push(resources);
      tokens.push(next);
    }
  }
  return { pages, tokens, requests };
}

/** The same through the unpatched engine over every document of the container. */
function expected(sql: string, parameters: Parameters, pageSize: number, continuationToken?: string) {
  const all = cosmos.documents.all(database, "memberships") ?? [];
  const pages: unknown[][] = [];
  const tokens: (string | undefined)[] = [];
  let continuation: unknown = continuationToken ? JSON.parse(continuationToken) : undefined;
  do {
    const page = engine
      .query(sql)
      .exec(all, { parameters, ...(pageSize > 0 ? { maxItemCount: pageSize } : {}), continuation });
    continuation = page.continuation ?? undefined;
    if (page.result.length > 0 || continuation) {
      pages.push(page.result);
      tokens.push(continuation ? JSON.stringify(continuation) : undefined);
    }
  } while (continuation);
  return { pages, tokens };
}

async function expectSameAnswers(queries: typeof QUERIES, pageSizeChange = 0) {
  for (const { sql, parameters, pageSize } of queries) {
    const size = pageSize === 0 ? 0 : (pageSize ?? 7) + pageSizeChange;
    const { pages, tokens } = await served(sql, parameters, size);
    expect({ pages, tokens }, `${sql} ${JSON.stringify(parameters)} (pages of ${size})`).toEqual(
      expected(sql, parameters, size),
    );
  }
}

/** Counts calls to a method of a shared prototype or module while `during` runs. */
async function counting<T extends object>(
  target: T,
  method: keyof T,
  during: () => Promise<unknown>,
): Promise<number> {
  const original = target[method] as (...args: unknown[]) => unknown;
  let calls = 0;
  target[method] = function (this: unknown, ...args: unknown[]) {
    calls++;
    return original.apply(this, args);
  } as T[keyof T];
  try {
    await during();
  } finally {
    target[method] = original as T[keyof T];
  }
  return calls;
}

describe("the local Cosmos server's equality indexes and sorted pages", () => {
  it("are in use", () => {
    expect(cosmos.queriesIndexed).toBe(true);
    expect(cosmos.queriesParsedOnce).toBe(true);
  });

  it("answer every query with the same documents, pages, order and tokens as the unpatched engine", async () => {
    await expectSameAnswers(QUERIES);
    // Not a vacuous comparison: the list query has matches over several pages, the sorted ones many.
    const first = QUERIES[0] as (typeof QUERIES)[number];
    expect((await served(first.sql, first.parameters, 7)).pages.length).toBeGreaterThan(3);
    const byRank = await served("SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.rank ASC", t1, 50);
    expect(byRank.pages.length).toBeGreaterThan(20);
  });

  it("follow every write: creates, replaces that move a document to another value, and deletes", async () => {
    const container = memberships();
    const first = QUERIES[0] as (typeof QUERIES)[number];
    // Read once so the indexes and sorted copies exist before the writes they have to follow.
    await expectSameAnswers(QUERIES);
    await container.items.create({ id: "new1", tenantId: "t1", listId: "l3", memberSourceId: "u0001" });
    const { resource: moved } = await container.item("m3", "t1").read<JSONObject>();
    await container
      .item("m3", "t1")
      .replace({ ...moved, listId: "l3", memberSourceId: "a-first", rank: "zz" });
    const { resource: leaving } = await container.item("m16", "t1").read<JSONObject>();
    expect(leaving?.listId).toBe("l3");
    await container.item("m16", "t1").replace({ ...leaving, listId: "l4", name: "Aaron" });
    await container.item("m29", "t1").delete();
    await container.items.upsert({
      id: "m42",
      tenantId: "t1",
      listId: "l3",
      memberSourceId: "u0002",
      rank: 0,
    });
    for (let i = 0; i < 40; i++)
      await container.items.upsert({ id: `w${i}`, tenantId: "t1", name: `Name ${i % 20}`, rank: i % 7 });
    await expectSameAnswers(QUERIES, -2);
    const ids = (await served(first.sql, first.parameters, 500)).pages.flat().map((d) => d.id);
    expect(ids).toContain("new1");
    expect(ids[0]).toBe("m3");
    expect(ids).not.toContain("m16");
    expect(ids).not.toContain("m29");
  });

  it("continue a page from a token taken before writes, as the engine does over the documents now", async () => {
    const container = memberships();
    const sql = "SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.name ASC";
    const { tokens } = await served(sql, t1, 40);
    const token = tokens[3] as string;
    const position = (JSON.parse(token) as { token: string }).token;
    // The document the token names goes, others arrive before and after its place.
    const named = (cosmos.documents.all(database, "memberships") ?? []).find((d) =>
      position.startsWith(`+RID:${d._rid}#`),
    );
    expect(named).toBeDefined();
    await container.item(String(named?.id), "t1").delete();
    await container.items.upsert({ id: "early", tenantId: "t1", name: "Aaaa" });
    await container.items.upsert({ id: "late", tenantId: "t1", name: String(named?.name) });
    const { pages, tokens: after } = await served(sql, t1, 40, token);
    expect({ pages, tokens: after }).toEqual(expected(sql, t1, 40, token));
  });

  it("take tokens they cannot place from the engine: another query's, or one naming rows that share an id", async () => {
    const sorted = "SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.memberSourceId ASC";
    const unsorted = "SELECT * FROM c WHERE c.tenantId = @tenantId";
    const fromUnsorted = (await served(unsorted, t1, 30)).tokens[2] as string;
    const withSrc = fromUnsorted.replace("#TRC:", "#SRC:1#TRC:");
    for (const token of [fromUnsorted, withSrc]) {
      const { pages, tokens } = await served(sorted, t1, 30, token);
      expect({ pages, tokens }).toEqual(expected(sorted, t1, 30, token));
    }
  });

  it("read a sorted page from the token's place, only as far as the page needs", async () => {
    const builtins: Record<string, unknown> = require("@zeit/cosmosdb-query/lib/builtin-functions");
    const sql =
      "SELECT * FROM c WHERE c.tenantId = @tenantId AND CONTAINS(c.memberSourceId, @q) ORDER BY c.memberSourceId ASC";
    const parameters = [...t1, { name: "@q", value: "u" }];
    const { tokens } = await served(sql, parameters, 10);
    let page: JSONObject[] = [];
    const checked = await counting(builtins, "CONTAINS", async () => {
      const iterator = memberships().items.query<JSONObject>(
        { query: sql, parameters: parameters as never },
        { maxItemCount: 10, partitionKey: "t1", continuationToken: tokens[50] as string },
      );
      page = (await iterator.fetchNext()).resources;
    });
    expect(page).toEqual(expected(sql, parameters, 10, tokens[50]).pages[0]);
    // The tenant has 1,350 documents, every one a match: a full pass would test each of them.
    expect(checked).toBeGreaterThan(10);
    expect(checked).toBeLessThan(300);
  });

  it("read only the documents an ARRAY_CONTAINS of values names", async () => {
    const builtins: Record<string, unknown> = require("@zeit/cosmosdb-query/lib/builtin-functions");
    const sql =
      "SELECT c.id FROM c WHERE c.tenantId = @tenantId AND ARRAY_CONTAINS(@ids, c.memberSourceId) ORDER BY c.id ASC";
    const parameters = [...t1, { name: "@ids", value: ["u3", "u5", "u8"] }];
    let result: Awaited<ReturnType<typeof served>> | undefined;
    const checked = await counting(builtins, "ARRAY_CONTAINS", async () => {
      result = await served(sql, parameters, 100);
    });
    const matches = result?.pages.flat() ?? [];
    expect({ pages: result?.pages, tokens: result?.tokens }).toEqual(expected(sql, parameters, 100));
    expect(matches.length).toBeGreaterThan(0);
    // The tenant has 1,350 documents: only those with one of the three values are tested.
    expect(checked).toBe(matches.length);
  });

  it("keep their sorted copy by taking in writes, without reading the whole container again", async () => {
    const sql = "SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.memberSourceId DESC";
    let container: ServerItems | undefined;
    // The server's document store for this container: the one that answers the query (which also builds
    // the sorted copy).
    const query = Items.prototype.query;
    Items.prototype.query = function (this: ServerItems, ...args: [{ query: string }, object]) {
      container = this;
      return query.apply(this, args);
    };
    try {
      await served(sql, t1, 25);
    } finally {
      Items.prototype.query = query;
    }
    if (!container) throw new Error("no query reached the server");
    const data = container._data;
    const writes = memberships();
    for (let i = 0; i < 30; i++)
      await writes.items.upsert({ id: `inc${i}`, tenantId: "t1", memberSourceId: `u${i * 31}` });
    await writes.item("m1", "t1").delete();
    const reads = await counting(data, "values", () => served(sql, t1, 25));
    expect(reads).toBe(0);
    const { pages, tokens } = await served(sql, t1, 25);
    expect({ pages, tokens }).toEqual(expected(sql, t1, 25));
  });

  it("answer each page once: the query plan the SDK asks for alongside is refused", async () => {
    const sql = "SELECT * FROM c WHERE c.tenantId = @tenantId ORDER BY c.name ASC";
    let result: Awaited<ReturnType<typeof served>> | undefined;
    const runs = await counting(Items.prototype, "query", async () => {
      result = await served(sql, t1, 100);
    });
    if (!result) throw new Error("no answer");
    expect(result.requests).toBeGreaterThan(5);
    expect(runs).toBe(result.requests);
    expect({ pages: result.pages, tokens: result.tokens }).toEqual(expected(sql, t1, 100));

    const refusal = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = request(
        `${cosmos.endpoint}/dbs/${database}/colls/memberships/docs`,
        {
          method: "POST",
          headers: {
            "content-type": "application/query+json",
            "x-ms-cosmos-is-query-plan-request": "True",
            "x-ms-documentdb-query-enablecrosspartition": "true",
          },
        },
        (res) => {
          let body = "";
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode, body }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ query: sql, parameters: t1 }));
    });
    expect(refusal.status).toBe(400);
    expect(JSON.parse(refusal.body)).toMatchObject({ code: "BadRequest" });
  });
});
