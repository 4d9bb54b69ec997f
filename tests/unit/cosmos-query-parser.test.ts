import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { speedUpLocalCosmosParsing } from "../../dev/cosmos-query-parser.ts";
import { patchLocalCosmosQueries } from "../../dev/cosmos-query-patch.ts";
import { loadUnpatchedEngine } from "../support/unpatched-cosmos-query.ts";

const require = createRequire(import.meta.url);
type Engine = (sql: string) => {
  ast: unknown;
  exec(
    docs: object[],
    options: {
      parameters: { name: string; value: unknown }[];
      maxItemCount?: number;
      continuation?: unknown;
    },
  ): { result: unknown[]; continuation: unknown };
};
/** The engine as the local server loads it: patched by dev/ once a test asks for it. */
const served: Engine = require("@zeit/cosmosdb-query").default;
const parser: { parse(sql: string): unknown } = require("@zeit/cosmosdb-query/lib/parser");
const unpatched = loadUnpatchedEngine();

/** The tab's record search, as api/http/routes/sync-routes.ts builds it: about a second to parse before. */
const RECORD_SEARCH =
  "SELECT * FROM c WHERE c.tenantId = @tenantId AND (c.taskId = @t AND (CONTAINS(LOWER(c.name), @q) OR CONTAINS(LOWER(c.email), @q) OR CONTAINS(LOWER(c.upn), @q) OR CONTAINS(LOWER(c.reason), @q)) AND c.action = @a AND c.kind = @k) ORDER BY c.name ASC";

const QUERIES = [
  RECORD_SEARCH,
  "SELECT * FROM c WHERE c.tenantId = @tenantId AND ((CONTAINS(LOWER(c.displayName), @q) OR CONTAINS(LOWER(c.emailKey), @q) OR CONTAINS(LOWER(c.upnKey), @q)) AND c.status = @s) ORDER BY c.displayName ASC",
  "SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @tenantId AND (c.listId = @l)",
  "SELECT TOP 5 c.id, c.name AS n, {a: c.x, 'b': [1, 2.5, -3, 0x10, \"s\\n\\u00e9\"]} FROM c WHERE c.n BETWEEN 1 AND 9 ORDER BY c.id DESC",
  "SELECT r.id FROM root r JOIN t IN r.tags WHERE t IN ('a', \"b\") AND NOT IS_DEFINED(r.gone) -- a comment\n",
  "SELECT c.id FROM c WHERE EXISTS(SELECT VALUE e FROM e IN c.events WHERE ARRAY_CONTAINS(@types, e.eventType))",
  "SELECT ARRAY(SELECT VALUE i.n FROM i IN c.items WHERE i.n > 1) AS ns, c['odd key'] FROM c WHERE udf.f(c.a) ?? c.b ? c.c : c.d",
  "SELECT VALUE (c.a + c.b * 2 - c.c / 3 % 4) FROM c WHERE c.a | c.b & ~c.c ^ c.d << 1 >> 2 >>> 3 != 0 AND c.s || 'x' <> 'y'",
  "select * from c where c.a = true or c.b = false and c.c = null and c.d = undefined order by c.e asc",
];

const BAD = [
  "SELECT * FROM c WHERE",
  "SELECT * FROM c WHERE (c.a = 1",
  "SELEC x",
  "SELECT * FROM c ORDER BY",
  "SELECT 'unterminated FROM c",
  "",
];

const errorOf = (parse: () => unknown) => {
  try {
    parse();
    return undefined;
  } catch (err) {
    const { name, message, expected, found, location } = err as Record<string, unknown>;
    return { name, message, expected, found, location };
  }
};

describe("the local Cosmos server's query parser, with memory", () => {
  it("gives the same syntax tree as the engine's own parser for every kind of query", () => {
    expect(speedUpLocalCosmosParsing()).toBe(true);
    for (const sql of QUERIES) expect(parser.parse(sql), sql).toEqual(unpatched.parse(sql));
  });

  it("rejects what the engine's parser rejects, with its error", () => {
    speedUpLocalCosmosParsing();
    for (const sql of BAD) {
      const error = errorOf(() => parser.parse(sql));
      expect(error, sql).toBeDefined();
      expect(error).toEqual(errorOf(() => unpatched.parse(sql)));
    }
  });

  it("parses the tab's record search in milliseconds, not about a second", () => {
    speedUpLocalCosmosParsing();
    // A text not parsed before in this process, so nothing is reused.
    const text = `${RECORD_SEARCH} `;
    const started = performance.now();
    parser.parse(text);
    expect(performance.now() - started).toBeLessThan(150);
  });

  it("runs a query again with new parameters and pages exactly as the unpatched engine does", () => {
    speedUpLocalCosmosParsing();
    patchLocalCosmosQueries();
    const docs = Array.from({ length: 400 }, (_, i) => ({
      id: `r${i}`,
      _rid: `rid${String(i).padStart(4, "0")}`,
      tenantId: i % 3 ? "t1" : "t2",
      taskId: i % 4 ? "task" : "other",
      name: i % 7 ? `Smith ${i % 23}` : `Jones ${i}`,
      email: `p${i}@contoso.example`,
      upn: i % 11 ? `p${i}@contoso.example` : undefined,
      reason: i % 5 ? "created" : null,
      action: i % 2 ? "created" : "updated",
      kind: i % 6 ? "user" : "group",
    }));
    for (const [tenant, q, action] of [
      ["t1", "smith", "created"],
      ["t1", "jones", "updated"],
      ["t2", "p1", "created"],
      ["t1", "nobody", "created"],
    ]) {
      const parameters = [
        { name: "@tenantId", value: tenant },
        { name: "@t", value: "task" },
        { name: "@q", value: q },
        { name: "@a", value: action },
        { name: "@k", value: "user" },
      ];
      const pages = (engine: (sql: string) => ReturnType<Engine>) => {
        const out: unknown[] = [];
        let continuation: unknown;
        do {
          const page = engine(RECORD_SEARCH).exec(docs, { parameters, maxItemCount: 9, continuation });
          out.push(page);
          continuation = page.continuation ?? undefined;
        } while (continuation);
        return out;
      };
      const expected = pages((sql) => unpatched.query(sql) as ReturnType<Engine>);
      expect(pages(served), `${tenant} ${q}`).toEqual(expected);
      if (q === "smith") expect(expected.length).toBeGreaterThan(2);
    }
  });
});
