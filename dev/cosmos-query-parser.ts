import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { compileFunction } from "node:vm";
import { patchOnce } from "./patch-once.ts";

/**
 * The local Cosmos server's query engine (@zeit/cosmosdb-query) parses SQL with a PEG parser that
 * backtracks without memory: the tab's record search (`... AND (CONTAINS(LOWER(c.name), @q) OR ...) ORDER BY
 * c.name`) took 0.6-1.3 s to parse, and every distinct query text pays it once per container, which made the
 * first search of each tab the slowest page. Then every query page compiled the query's generated code again
 * (`new Function`), so V8 never kept optimized code for it.
 *
 * Here the same parser runs with memory (packrat parsing: each rule's result at each position is kept for
 * the rest of that parse, as PEG.js itself generates with its `cache` option), which gives the same syntax
 * tree in a few milliseconds; a text it rejects is parsed again by the original parser, so errors are the
 * engine's own. Parsed queries are shared by SQL text across containers and servers, and their generated
 * code is compiled once per text.
 */
type Parse = (input: string, options?: object) => unknown;
type Executor = (collection: unknown[], options: { code: string } & Record<string, unknown>) => unknown;
type Execute = (...args: unknown[]) => unknown;

interface ServerItems {
  _getQuery(sql: string): unknown;
}

/** Parsed queries kept by SQL text; the product uses a few dozen texts. */
const MAX_QUERIES = 500;

export const speedUpLocalCosmosParsing = patchOnce(applyPatch);

function applyPatch(): boolean {
  const require = createRequire(import.meta.url);
  let parser: { parse: Parse };
  let executor: { default: Executor };
  let factory: (sql: string) => unknown;
  let Items: { prototype: ServerItems };
  try {
    parser = require("@zeit/cosmosdb-query/lib/parser");
    executor = require("@zeit/cosmosdb-query/lib/executor");
    factory = require("@zeit/cosmosdb-query").default;
    Items = require("@vercel/cosmosdb-server/lib/account/items").default;
  } catch {
    return false;
  }
  const memoized = memoizingParser(require.resolve("@zeit/cosmosdb-query/lib/parser"), require);
  if (!memoized) return false;
  const original = parser.parse;
  parser.parse = (input, options) => {
    try {
      return memoized(input, options);
    } catch {
      return original(input, options);
    }
  };
  executor.default = compilingOnce(require);
  Items.prototype._getQuery = sharedQueries(factory);
  return true;
}

/**
 * The parser's own source with every rule wrapped in a lookup keyed by rule, position and whether failures
 * are being recorded (a rule tried inside a predicate records none, so its result is not reused where
 * they are). Undefined when the source does not have the shape this expects.
 */
function memoizingParser(file: string, require: NodeJS.Require): Parse | undefined {
  const source = readFileSync(file, "utf8");
  const start = "  peg$result = peg$startRuleFunction();";
  if (!source.includes(start) || !source.includes("peg$silentFails")) return undefined;
  let rules = 0;
  const wrapped = source.replace(
    /^ {2}function peg\$parse(\w+)\(\) \{$/gm,
    (_line, name: string) =>
      `  function peg$parse${name}() { return peg$memo(${rules++}, peg$parse${name}$direct); }\n` +
      `  function peg$parse${name}$direct() {`,
  );
  if (rules === 0) return undefined;
  const memo = `  var peg$memoResults = new Map();
  function peg$memo(rule, parse) {
    var key = (peg$currPos * ${rules} + rule) * 2 + (peg$silentFails > 0 ? 1 : 0);
    var hit = peg$memoResults.get(key);
    if (hit !== undefined) {
      peg$currPos = hit.nextPos;
      return hit.result;
    }
    var result = parse();
    peg$memoResults.set(key, { nextPos: peg$currPos, result: result });
    return result;
  }
${start}`;
  const module = { exports: {} as { parse?: Parse } };
  compileFunction(wrapped.replace(start, memo), ["module", "exports", "require"], { filename: file })(
    module,
    module.exports,
    require,
  );
  return typeof module.exports.parse === "function" ? module.exports.parse : undefined;
}

/**
 * The engine's executor (lib/executor.js), with each generated code text compiled once instead of on every
 * call; the compiled function gets the same arguments the executor gives it.
 */
function compilingOnce(require: NodeJS.Require): Executor {
  const aggregates = require("@zeit/cosmosdb-query/lib/aggregate-functions");
  const builtins = require("@zeit/cosmosdb-query/lib/builtin-functions");
  const helpers = require("@zeit/cosmosdb-query/lib/helpers");
  const compiled = new Map<string, Execute>();
  const bounded = boundedSet(compiled);
  return (collection, { code, parameters, udf = {}, maxItemCount, continuation, compositeIndexes }) => {
    let execute = compiled.get(code);
    if (!execute) {
      execute = new Function(`"use strict";return (${code})`)() as Execute;
      bounded(code, execute);
    }
    const params: Record<string, unknown> = {};
    // As the executor reads them, so odd parameters fail with the engine's own error.
    ((parameters || []) as { name: string; value: unknown }[]).forEach(({ name, value }) => {
      params[name.slice(1)] = value;
    });
    return execute(
      aggregates,
      builtins,
      collection,
      helpers,
      udf,
      params,
      maxItemCount,
      continuation,
      compositeIndexes,
    );
  };
}

/** The server asks its container's small cache for a query; this one is shared by every container. */
function sharedQueries(factory: (sql: string) => unknown): (sql: string) => unknown {
  const queries = new Map<string, unknown>();
  const bounded = boundedSet(queries);
  return (sql) => {
    let query = queries.get(sql);
    if (query === undefined) {
      query = factory(sql);
      bounded(sql, query);
    }
    return query;
  };
}

/** Sets an entry, dropping the oldest once the map holds MAX_QUERIES. */
function boundedSet<V>(map: Map<string, V>): (key: string, value: V) => void {
  return (key, value) => {
    if (map.size >= MAX_QUERIES) map.delete(map.keys().next().value as string);
    map.set(key, value);
  };
}
