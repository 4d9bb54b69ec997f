import { createRequire } from "node:module";
import { equalsOnlyItself } from "./cosmos-query-patch.ts";

/**
 * Equality indexes for the local Cosmos server's queries. The server answers every query by running it over
 * every document of the container, so a list's members (`c.listId = @l`) or a task's records
 * (`c.taskId = @t`) cost a pass over hundreds of thousands of documents per page. Real Cosmos answers such a
 * filter from its index. Here, for each top-level `c.<property> = @<parameter>` of a query's WHERE clause,
 * a per-container index (kept up to date on every write) gives the documents with that value, in the
 * container's own order; the query then runs unchanged over those documents only. Since every match is
 * among them and their order is the container's, the answer and its continuation tokens are the same as
 * over the whole container.
 *
 * A query sorted on one property (the people tab: a tenant's 100k profiles by name) still sorted all its
 * matches on every page. For those the documents are handed over already in that order, from a sorted copy
 * of the container rebuilt after writes, and the engine's sort (which compares through a slow generic path,
 * 60-180 ms for 100k presorted rows) is skipped for that query: its order is total (ties are broken by
 * `_rid`) and the copy is sorted by the same comparison, so the rows are already where it would put them.
 */

type Doc = Record<string, unknown> & { _rid: string };
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
  ast: {
    body?: {
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

/** `ORDER BY <alias>.<property> [ASC|DESC]` on a single property. */
interface SortOrder {
  property: string;
  descending: boolean;
}

interface Plan {
  equalities: Equality[];
  order?: SortOrder;
}

/** Below this many candidates, sorting them is cheaper than filtering a sorted copy of the container. */
const PRESORT_ABOVE = 1000;

const indexes = new WeakMap<ServerItems, Map<string, PropertyIndex>>();
const sortedCopies = new WeakMap<ServerItems, Map<string, { version: number; docs: Doc[] }>>();
const versions = new WeakMap<ServerItems, number>();
const plans = new WeakMap<Query, Plan>();
const bump = (items: ServerItems) => versions.set(items, (versions.get(items) ?? 0) + 1);

let patched: boolean | undefined;

export function indexLocalCosmosQueries(): boolean {
  patched ??= applyPatch();
  return patched;
}

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
    bump(this);
    for (const [property, index] of indexes.get(this) ?? []) add(index, property, stored);
    return stored;
  };
  proto.delete = function (this: ServerItems, idOrRid: string, partition?: string) {
    const doc = this._item("/id", idOrRid, partition).read();
    remove.call(this, idOrRid, partition);
    bump(this);
    if (doc)
      for (const [property, index] of indexes.get(this) ?? []) index.get(doc[property])?.delete(doc._rid);
  };
  proto.query = function (this: ServerItems, params: QueryParams, options: PageOptions) {
    const parent = this._parent.read();
    if (!parent) return query.call(this, params, options);
    const q = this._getQuery(params.query);
    const plan = planOf(q);
    const bucket = narrowest(this, plan, params.parameters ?? []);
    const useSortedCopy = plan.order !== undefined && (!bucket || bucket.size > PRESORT_ABOVE);
    let candidates: Doc[] | undefined;
    if (plan.order && useSortedCopy) {
      const sorted = sortedCopy(this, plan.order);
      // A bucket as large as the container holds all of it (one tenant's data, typically).
      candidates =
        bucket && bucket.size < sorted.length ? sorted.filter((doc) => bucket.has(doc._rid)) : sorted;
    } else if (bucket) candidates = [...bucket.values()];
    if (!candidates) return query.call(this, params, options);
    // The rest is the server's own `query`, over the candidates instead of every document.
    presorted = useSortedCopy;
    try {
      return q.exec(candidates, {
        parameters: params.parameters,
        udf: this._userDefinedFunctions(),
        maxItemCount: options.maxItemCount,
        continuation: options.continuation,
        compositeIndexes: parent.indexingPolicy?.compositeIndexes || [],
      });
    } catch (err) {
      (err as { badRequest?: boolean }).badRequest = true;
      throw err;
    } finally {
      presorted = false;
    }
  };
  skipSortWhenPresorted(require("@zeit/cosmosdb-query/lib/helpers"));
  return true;
}

/** Set only while a query whose candidates come from a sorted copy runs (queries run synchronously). */
let presorted = false;

type Sort = (
  collection: unknown[],
  getRid: unknown,
  compositeIndexes: unknown,
  ...orders: unknown[]
) => unknown[];

function skipSortWhenPresorted(helpers: { sort: Sort }): void {
  const sort = helpers.sort;
  helpers.sort = (collection, getRid, compositeIndexes, ...orders) => {
    if (!presorted || orders.length !== 1) return sort(collection, getRid, compositeIndexes, ...orders);
    // What the engine's sort returns for one order, minus sorting: rows without the property are left out.
    const [keys] = orders[0] as [string[], boolean];
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

/** The documents of the most selective indexed equality, or undefined to scan the whole container. */
function narrowest(
  items: ServerItems,
  plan: Plan,
  parameters: QueryParams["parameters"] & object,
): Map<string, Doc> | undefined {
  let best: Map<string, Doc> | undefined;
  for (const { property, parameter } of plan.equalities) {
    const value = parameters.find((p) => p.name === parameter)?.value;
    if (!equalsOnlyItself(value)) continue;
    const bucket = indexOf(items, property).get(value) ?? new Map<string, Doc>();
    if (!best || bucket.size < best.size) best = bucket;
  }
  return best;
}

/** Every document, sorted as the engine sorts (by the property's type, then value, then `_rid`). */
function sortedCopy(items: ServerItems, order: SortOrder): Doc[] {
  let copies = sortedCopies.get(items);
  if (!copies) {
    copies = new Map();
    sortedCopies.set(items, copies);
  }
  const key = `${order.property}:${order.descending}`;
  const version = versions.get(items) ?? 0;
  const cached = copies.get(key);
  if (cached?.version === version) return cached.docs;
  const docs: Doc[] = [];
  for (const item of items._data.values()) {
    const doc = item.read();
    if (doc) docs.push(doc);
  }
  const sign = order.descending ? -1 : 1;
  docs.sort(
    (a, b) => sign * compareValues(a[order.property], b[order.property]) || compareValues(a._rid, b._rid),
  );
  copies.set(key, { version, docs });
  return docs;
}

const TYPE_ORDER = ["undefined", "null", "boolean", "number", "string", "array", "object"];
const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** The engine's comparison: types in a fixed order, then values (objects are all equal). */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const typeA = typeOf(a);
  const typeB = typeOf(b);
  if (typeA !== typeB) return TYPE_ORDER.indexOf(typeA) - TYPE_ORDER.indexOf(typeB);
  if (typeA === "object") return 0;
  return (a as string) < (b as string) ? -1 : 1;
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
    for (const item of items._data.values()) {
      const doc = item.read();
      if (doc) add(index, property, doc);
    }
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
    plan = { equalities: [] };
    const alias = fromAlias(q);
    const condition = q.ast.body?.where?.condition;
    if (alias && condition) collect(condition, alias, plan.equalities);
    const orderBy = q.ast.body?.orderBy?.expressions;
    if (alias && orderBy?.length === 1 && orderBy[0]) {
      const property = memberOf(orderBy[0].expression, alias);
      if (property) plan.order = { property, descending: orderBy[0].order === "DESC" };
    }
    plans.set(q, plan);
  }
  return plan;
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

function collect(node: AstNode, alias: string, out: Equality[]): void {
  if (node.type !== "scalar_binary_expression") return;
  if (node.operator === "AND" && node.left && node.right) {
    collect(node.left, alias, out);
    collect(node.right, alias, out);
    return;
  }
  if (node.operator !== "=") return;
  for (const [member, parameter] of [
    [node.left, node.right],
    [node.right, node.left],
  ] as const) {
    const property = memberOf(member, alias);
    if (property && parameter?.type === "parameter_name" && parameter.name) {
      out.push({ property, parameter: parameter.name });
      return;
    }
  }
}
