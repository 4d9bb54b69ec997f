import { createRequire } from "node:module";
import { dirname } from "node:path";

/**
 * A copy of the local Cosmos server's query engine (@zeit/cosmosdb-query) loaded apart from the one the
 * server uses, so nothing dev/ patches into the server's copy (parser, executor, builtins, helpers) reaches
 * it: what the server computed before any of those changes. Its modules are loaded fresh and the shared
 * module cache is left as it was.
 */
interface UnpatchedQuery {
  ast: unknown;
  exec(
    docs: object[],
    options: {
      parameters?: { name: string; value: unknown }[];
      maxItemCount?: number;
      continuation?: unknown;
      compositeIndexes?: unknown;
    },
  ): { result: unknown[]; continuation: { token: string } | null };
}

export interface UnpatchedEngine {
  /** The query for a SQL text, parsed once per text (the original parser takes up to a second). */
  query(sql: string): UnpatchedQuery;
  parse(sql: string): unknown;
}

export function loadUnpatchedEngine(): UnpatchedEngine {
  const require = createRequire(import.meta.url);
  const folder = `${dirname(require.resolve("@zeit/cosmosdb-query/package.json"))}/`;
  const cache = require.cache;
  const shared = Object.entries(cache).filter(([file]) => file.startsWith(folder));
  for (const [file] of shared) delete cache[file];
  let factory: (sql: string) => UnpatchedQuery;
  let parser: { parse(sql: string): unknown };
  try {
    factory = require("@zeit/cosmosdb-query").default;
    parser = require("@zeit/cosmosdb-query/lib/parser");
  } finally {
    for (const file of Object.keys(cache)) if (file.startsWith(folder)) delete cache[file];
    for (const [file, module] of shared) cache[file] = module;
  }
  const queries = new Map<string, UnpatchedQuery>();
  return {
    query(sql) {
      let query = queries.get(sql);
      if (!query) {
        query = factory(sql);
        queries.set(sql, query);
      }
      return query;
    },
    parse: (sql) => parser.parse(sql),
  };
}
