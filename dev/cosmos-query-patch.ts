import { createRequire } from "node:module";

/**
 * The local Cosmos server's query engine (@zeit/cosmosdb-query, under @vercel/cosmosdb-server) collects a
 * container's rows with `reduce(($, c) => [...$, { c }], [])`, copying the array once per document: every
 * query page costs O(n²) in the container's size (measured: 5k edges 0.15 s, 25k 9.8 s, 50k 42 s), so a
 * 100k-user tenant cannot be queried within the Cosmos SDK's 60 s timeout. Real Cosmos answers from its
 * index. This rewrites the generated code to append in place, same rows in the same order, for every use of
 * the local server (npm start, tests, the benchmark). Returns whether the engine is patched (false: its code
 * changed and the pattern was not found; queries then stay correct, only slow).
 */
let patched: boolean | undefined;

export function patchLocalCosmosQueries(): boolean {
  patched ??= applyPatch();
  return patched;
}

function applyPatch(): boolean {
  const require = createRequire(import.meta.url);
  let factory: (sql: string) => object;
  try {
    factory = require("@zeit/cosmosdb-query").default;
  } catch {
    return false;
  }
  const proto = Object.getPrototypeOf(factory("SELECT * FROM c")) as object;
  const getter = Object.getOwnPropertyDescriptor(proto, "code")?.get;
  if (!getter) return false;
  const collect = /\(\$, (\w+)\) => typeof \1 !== "undefined" \? \[\.\.\.\$, \{\s*(\w+): \1\s*\}\] : \$/;
  if (!collect.test(getter.call(factory("SELECT * FROM c")) as string)) return false;
  Object.defineProperty(proto, "code", {
    configurable: true,
    get(this: object) {
      return (getter.call(this) as string).replace(
        collect,
        (_m, item: string, alias: string) =>
          `($, ${item}) => { if (typeof ${item} !== "undefined") $.push({ ${alias}: ${item} }); return $; }`,
      );
    },
  });
  return true;
}
