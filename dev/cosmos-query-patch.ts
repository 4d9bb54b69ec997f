import { createRequire } from "node:module";
import { patchOnce } from "./patch-once.ts";

/**
 * The local Cosmos server's query engine (@zeit/cosmosdb-query, under @vercel/cosmosdb-server) collects a
 * container's rows with `reduce(($, c) => [...$, { c }], [])`, copying the array once per document: every
 * query page costs O(n²) in the container's size (measured: 5k edges 0.15 s, 25k 9.8 s, 50k 42 s), so a
 * 100k-user tenant cannot be queried within the Cosmos SDK's 60 s timeout. Real Cosmos answers from its
 * index. This rewrites the generated code to append in place, same rows in the same order, for every use of
 * the local server (npm start, tests, the benchmark). Returns whether the engine is patched (false: its code
 * changed and the pattern was not found; queries then stay correct, only slow).
 */
export const patchLocalCosmosQueries = patchOnce(applyPatch);

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
  fastArrayContains(require("@zeit/cosmosdb-query/lib/builtin-functions"));
  fastStringFunctions(require("@zeit/cosmosdb-query/lib/builtin-functions"));
  linearStripUndefined(require("@zeit/cosmosdb-query/lib/helpers"));
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

/**
 * A string, number (not NaN) or boolean: the values the query engine finds equal to exactly the same value,
 * so a Set or Map keyed by them gives the engine's answer. Objects, arrays and NaN compare otherwise.
 */
export const equalsOnlyItself = (value: unknown): value is string | number | boolean =>
  typeof value === "string" ||
  typeof value === "boolean" ||
  (typeof value === "number" && !Number.isNaN(value));

/**
 * ARRAY_CONTAINS(@ids, c.field) compares the field with every element of the parameter array for every
 * document (measured: a 200-id lookup over 100k profiles took about a second). For a string, number or
 * boolean the answer is whether some element is that same value, so a Set built once per parameter array
 * gives the same answer; anything else (objects, partial matches, NaN) still takes the engine's own path.
 */
function fastArrayContains(builtins: Record<string, unknown>): void {
  const original = builtins.ARRAY_CONTAINS as (...args: unknown[]) => unknown;
  if (typeof original !== "function") return;
  const sets = new WeakMap<unknown[], Set<unknown>>();
  builtins.ARRAY_CONTAINS = (...args: unknown[]) => {
    const [array, value] = args;
    if (args.length !== 2 || !Array.isArray(array) || !equalsOnlyItself(value)) return original(...args);
    let set = sets.get(array);
    if (!set) {
      set = new Set(array);
      sets.set(array, set);
    }
    return set.has(value);
  };
}

/**
 * A search (`CONTAINS(LOWER(c.displayName), @q)` over three fields) calls these for every document, and each
 * call goes through a generic wrapper that checks the argument count and every argument's type, allocating
 * as it goes: about a second for a search page over 100k profiles. For the case searches use (string
 * arguments, exact count) the answer is the function's own; anything else still takes the wrapper, which
 * keeps its errors and its undefined for other types.
 */
function fastStringFunctions(builtins: Record<string, unknown>): void {
  const lower = builtins.LOWER as (...args: unknown[]) => unknown;
  const contains = builtins.CONTAINS as (...args: unknown[]) => unknown;
  if (typeof lower !== "function" || typeof contains !== "function") return;
  builtins.LOWER = (...args: unknown[]) =>
    args.length === 1 && typeof args[0] === "string" ? args[0].toLowerCase() : lower(...args);
  builtins.CONTAINS = (...args: unknown[]) =>
    args.length === 2 && typeof args[0] === "string" && typeof args[1] === "string"
      ? args[0].includes(args[1])
      : contains(...args);
}

/**
 * Every document a query returns passes through `stripUndefined`, which rebuilds each array with
 * `reduce((o, v) => [...o, v], [])`: quadratic in the array's length. A connection with a 40,000-address
 * whitelist blocked the whole process for 51 s on `GET /api/connections` (health checks, snapshots and
 * SIGTERM waited too). Same answer, built in place: arrays lose their `undefined` elements, objects their
 * `undefined` properties, everything else is returned as is.
 */
function linearStripUndefined(helpers: Record<string, unknown>): void {
  if (typeof helpers.stripUndefined !== "function") return;
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const element of value) if (element !== undefined) out.push(strip(element));
      return out;
    }
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, element] of Object.entries(value))
        if (element !== undefined) out[key] = strip(element);
      return out;
    }
    return value;
  };
  helpers.stripUndefined = strip;
}
