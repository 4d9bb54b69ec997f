import { createRequire } from "node:module";
import { equalsOnlyItself } from "./cosmos-query-patch.ts";
import { sortedPage } from "./local-cosmos-pages.ts";
import { type Doc, noteWrite, type SortOrder, sortedCopyOf } from "./local-cosmos-sorted.ts";
import { patchOnce } from "./patch-once.ts";

/**
 * Equality indexes for the local Cosmos server's queries. The server answers every query by running it over
 * every document of the container, so a list's members (`c.listId = @l`) or a task's records
 * (`c.taskId = @t`) cost a pass over hundreds of thousands of documents per page. Real Cosmos answers such a
 * filter from its index. Here, for each top-level `c.<property> = @<parameter>` of a query's WHERE clause,
 * a per-container index (kept up to date on every write) gives the documents with that value, in the
 * container's own order; the query then runs unchanged over those documents only. Since every match is
 * among them and the engine sorts what it is handed (by `_rid` when the query has no ORDER BY), the answer
 * and its continuation tokens are the same as over the whole container. A top-level
 * `ARRAY_CONTAINS(@<parameter>, c.<property>)` (a records or members page looking up its profiles by id,
 * which scanned a tenant's 100k profiles per page) narrows the same way, to the buckets of its values.
 *
 * A query sorted on one property (the people tab: a tenant's 100k profiles by name) still sorted all its
 * matches on every page. For those the documents come from a sorted copy of the container that follows its
 * writes (local-cosmos-sorted.ts): a page is read from the continuation token's place in the copy, as far
 * as the page needs (local-cosmos-pages.ts); without a page size, the query runs over the whole copy and the
 * engine's sort (which compares through a slow generic path, 60-180 ms for 100k presorted rows) is skipped
 * for it: its order is total (ties are broken by `_rid`) and the copy is sorted by the same comparison, so
 * the rows are already where it would put them.
 */

/** Property value -> documents with it, by `_rid`, in the container's order. */
type PropertyIndex = Map<unknown, Map<string, Doc>>;

interface ServerItems {
  _parent: { read(): { indexingPolicy?: { compositeIndexes?: unknown } } | undefined };
  _data: Map<string, { read(): Doc | undefined }>;
  _item(keyPath: string, value: string, partition?: string): { read(): Doc | undefined };
  _set(data: Doc): Doc;
  delete(idOrRid: string, partition?: string): void;
  _getQuery(sql: string): Query;
  _userDefinedFunctions(): unknown;
  query(params: QueryParams, options: PageOptions): unknown;
}

interface Query {
  code: string;
  ast: {
    body?: {
      top?: unknown;
      where?: { condition?: AstNode };
      from?: { source?: { expression?: AstNode } };
      orderBy?: { expressions?: { expression?: AstNode; order?: string }[] };
    };
  };
  exec(data: Doc[], options: Record<string, unknown>): unknown;
}

interface AstNode {
  type: string;
  operator?: string;
  left?: AstNode;
  right?: AstNode;
  object?: AstNode;
  property?: AstNode;
  expression?: AstNode;
  arguments?: AstNode[];
  /** An identifier's or parameter's name; a function call's is `callee`'s (see `calleeOf`). */
  name?: string;
  computed?: boolean;
}

interface QueryParams {
  query: string;
  parameters?: { name: string; value: unknown }[];
}
interface PageOptions {
  maxItemCount?: number;
  continuation?: unknown;
}

/** A condition every answer meets: `<alias>.<property> = <@parameter>`. */
interface Equality {
  property: string;
  parameter: string;
}

interface Plan {
  equalities: Equality[];
  /** `ARRAY_CONTAINS(<@parameter>, <alias>.<property>)`: the property equals one of the array's values. */
  memberships: Equality[];
  order?: SortOrder & {
    alias: string;
    /** Each page is cut from the sorted matches (no TOP, no aggregate), so a page can be read alone. */
    paged: boolean;
  };
}

/** Below this many candidates, sorting them is cheaper than filtering a sorted copy of the container. */
const PRESORT_ABOVE = 1000;

const indexes = new WeakMap<ServerItems, Map<string, PropertyIndex>>();
const plans = new WeakMap<Query, Plan>();

export const indexLocalCosmosQueries = patchOnce(applyPatch);

function applyPatch(): boolean {
  const require = createRequire(import.meta.url);
  let Items: { prototype: ServerItems };
  try {
    Items = require("@vercel/cosmosdb-server/lib/account/items").default;
  } catch {
    return false;
  }
  const proto = Items.prototype;
  if (typeof proto.query !== "function" || typeof proto._set !== "function") return false;
  const { query, _set: set, delete: remove } = proto;

  proto._set = function (this: ServerItems, data: Doc) {
    const stored = set.call(this, data);
    noteWrite(this, undefined, stored);
    for (const [property, index] of indexes.get(this) ?? []) add(index, property, stored);
    return stored;
  };
  proto.delete = function (this: ServerItems, idOrRid: string, partition?: string) {
    const doc = this._item("/id", idOrRid, partition).read();
    remove.call(this, idOrRid, partition);
    if (!doc) return;
    noteWrite(this, doc, undefined);
    for (const [property, index] of indexes.get(this) ?? []) index.get(doc[property])?.delete(doc._rid);
  };
  proto.query = function (this: ServerItems, params: QueryParams, options: PageOptions) {
    const parent = this._parent.read();
    if (!parent) return query.call(this, params, options);
    const q = this._getQuery(params.query);
    const plan = planOf(q);
    const bucket = narrowest(this, plan, params.parameters ?? []);
    const run = (candidates: Doc[], presortedBy?: Plan["order"]) => {
      presorted = presortedBy;
      try {
        // The rest is the server's own `query`, over the candidates instead of every document.
        return q.exec(candidates, {
          parameters: params.parameters,
          udf: this._userDefinedFunctions(),
          maxItemCount: options.maxItemCount,
          continuation: options.continuation,
          compositeIndexes: parent.indexingPolicy?.compositeIndexes || [],
        }) as { continuation: unknown };
      } catch (err) {
        (err as { badRequest?: boolean }).badRequest = true;
        throw err;
      } finally {
        presorted = undefined;
      }
    };
    const order = plan.order;
    const copy =
      order && (!bucket || bucket.size > PRESORT_ABOVE)
        ? sortedCopyOf(this, order, () => every(this))
        : undefined;
    if (order && copy?.consistent) {
      const sorted = copy.read();
      // A bucket as large as the container holds all of it (one tenant's data, typically).
      const belongs = bucket && bucket.size < sorted.length ? (doc: Doc) => bucket.has(doc._rid) : undefined;
      const { maxItemCount } = options;
      if (order.paged && typeof maxItemCount === "number" && maxItemCount > 0) {
        const page = sortedPage({
          sorted,
          order,
          belongs,
          maxItemCount,
          continuation: options.continuation,
          run,
        });
        if (page) return page;
      }
      return run(belongs ? sorted.filter(belongs) : sorted, order);
    }
    if (bucket) return run([...bucket.values()]);
    return query.call(this, params, options);
  };
  skipSortWhenPresorted(require("@zeit/cosmosdb-query/lib/helpers"));
  return true;
}

/** Set only while a query runs over a whole sorted copy, to its order (queries run synchronously). */
let presorted: Plan["order"];

type Sort = (
  collection: unknown[],
  getRid: unknown,
  compositeIndexes: unknown,
  ...orders: unknown[]
) => unknown[];

function skipSortWhenPresorted(helpers: { sort: Sort }): void {
  const sort = helpers.sort;
  helpers.sort = (collection, getRid, compositeIndexes, ...orders) => {
    const order = presorted;
    if (!order || orders.length !== 1) return sort(collection, getRid, compositeIndexes, ...orders);
    const [keys, descending] = orders[0] as [string[], boolean];
    // Only the query's own ORDER BY: a subquery's sort (over a document's array) takes the engine's path.
    if (
      keys.length !== 2 ||
      keys[0] !== order.alias ||
      keys[1] !== order.property ||
      descending !== order.descending
    )
      return sort(collection, getRid, compositeIndexes, ...orders);
    // What the engine's sort returns for one order, minus sorting: rows without the property are left out.
    return collection.filter((row) => valueAt(row, keys) !== undefined);
  };
}

function valueAt(row: unknown, keys: string[]): unknown {
  let value = row;
  for (const key of keys) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The documents of the most selective indexed condition, or undefined to scan the whole container. An
 * `ARRAY_CONTAINS(@ids, c.<property>)` (the records and members pages naming their profiles) matches a
 * document whose value is one of the array's: the union of their buckets, when every element is a value
 * equal only to itself (see `equalsOnlyItself`), as the engine compares them (`deepEqual`, `===` for these).
 */
function narrowest(
  items: ServerItems,
  plan: Plan,
  parameters: QueryParams["parameters"] & object,
): Map<string, Doc> | undefined {
  const parameterValue = (name: string) => parameters.find((p) => p.name === name)?.value;
  let best: Map<string, Doc> | undefined;
  for (const { property, parameter } of plan.equalities) {
    const value = parameterValue(parameter);
    if (!equalsOnlyItself(value)) continue;
    const bucket = indexOf(items, property).get(value) ?? new Map<string, Doc>();
    if (!best || bucket.size < best.size) best = bucket;
  }
  for (const { property, parameter } of plan.memberships) {
    const values = parameterValue(parameter);
    if (!Array.isArray(values) || !values.every(equalsOnlyItself)) continue;
    const index = indexOf(items, property);
    const buckets = [...new Set(values)].flatMap((value) => index.get(value) ?? []);
    // Each document has one value, so the buckets do not overlap.
    const size = buckets.reduce((n, bucket) => n + bucket.size, 0);
    if (best && size >= best.size) continue;
    best = new Map();
    for (const bucket of buckets) for (const [rid, doc] of bucket) best.set(rid, doc);
  }
  return best;
}

function* every(items: ServerItems): Iterable<Doc> {
  for (const item of items._data.values()) {
    const doc = item.read();
    if (doc) yield doc;
  }
}

function indexOf(items: ServerItems, property: string): PropertyIndex {
  let byProperty = indexes.get(items);
  if (!byProperty) {
    byProperty = new Map();
    indexes.set(items, byProperty);
  }
  let index = byProperty.get(property);
  if (!index) {
    index = new Map();
    for (const doc of every(items)) add(index, property, doc);
    byProperty.set(property, index);
  }
  return index;
}

function add(index: PropertyIndex, property: string, doc: Doc): void {
  const value = doc[property];
  if (value === undefined || (typeof value === "object" && value !== null)) return;
  let bucket = index.get(value);
  if (!bucket) {
    bucket = new Map();
    index.set(value, bucket);
  }
  bucket.set(doc._rid, doc);
}

/**
 * The WHERE clause's top-level `c.<property> = @<parameter>` conditions (joined by AND) and a single-property
 * ORDER BY, per query text.
 */
function planOf(q: Query): Plan {
  let plan = plans.get(q);
  if (!plan) {
    plan = { equalities: [], memberships: [] };
    const alias = fromAlias(q);
    const condition = q.ast.body?.where?.condition;
    if (alias && condition) collect(condition, alias, plan);
    const orderBy = q.ast.body?.orderBy?.expressions;
    if (alias && orderBy?.length === 1 && orderBy[0]) {
      const property = memberOf(orderBy[0].expression, alias);
      if (property)
        plan.order = { alias, property, descending: orderBy[0].order === "DESC", paged: pagedOnly(q) };
    }
    plans.set(q, plan);
  }
  return plan;
}

/**
 * Whether the query's answer is its sorted matches cut into pages: the engine's generated code is then
 * `paginate(...)` of them. TOP counts from the first match and an aggregate reads them all, so neither can
 * be read from the middle.
 */
function pagedOnly(q: Query): boolean {
  return !q.ast.body?.top && /^\(\$a, [^)]*\) => \{\s*return \$h\.paginate\(/.test(q.code);
}

/** `<alias>.<property>`, not computed (`c["x"]`) and not nested (`c.a.b`). */
function memberOf(node: AstNode | undefined, alias: string): string | undefined {
  return node?.type === "scalar_member_expression" &&
    !node.computed &&
    node.object?.type === "identifier" &&
    node.object.name === alias
    ? node.property?.name
    : undefined;
}

function fromAlias(q: Query): string | undefined {
  const from = q.ast.body?.from as {
    source?: { expression?: AstNode; alias?: AstNode | null };
    joins?: unknown[];
  };
  // A JOIN multiplies rows: its queries take the full scan.
  if (!from?.source || (from.joins?.length ?? 0) > 0) return undefined;
  const collection = from.source.expression;
  if (collection?.type !== "collection_expression" || collection.expression?.type !== "identifier")
    return undefined;
  return from.source.alias?.name ?? collection.expression.name;
}

/** A function call's name: the parser keeps it as an identifier node under `name`. */
const calleeOf = (node: AstNode) => (node as unknown as { name?: { name?: unknown } }).name?.name;

function collect(node: AstNode, alias: string, plan: Plan): void {
  if (node.type === "scalar_function_expression") {
    const [values, member] = node.arguments ?? [];
    const property = memberOf(member, alias);
    if (
      calleeOf(node) === "ARRAY_CONTAINS" &&
      node.arguments?.length === 2 &&
      property &&
      values?.type === "parameter_name" &&
      values.name
    )
      plan.memberships.push({ property, parameter: values.name });
    return;
  }
  if (node.type !== "scalar_binary_expression") return;
  if (node.operator === "AND" && node.left && node.right) {
    collect(node.left, alias, plan);
    collect(node.right, alias, plan);
    return;
  }
  if (node.operator !== "=") return;
  for (const [member, parameter] of [
    [node.left, node.right],
    [node.right, node.left],
  ] as const) {
    const property = memberOf(member, alias);
    if (property && parameter?.type === "parameter_name" && parameter.name) {
      plan.equalities.push({ property, parameter: parameter.name });
      return;
    }
  }
}
