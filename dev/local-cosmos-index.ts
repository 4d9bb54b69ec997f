import { createRequire } from "node:module";

/**
 * Equality indexes for the local Cosmos server's queries. The server answers every query by running it over
 * every document of the container, so a list's members (`c.listId = @l`) or a task's records
 * (`c.taskId = @t`) cost a pass over hundreds of thousands of documents per page. Real Cosmos answers such a
 * filter from its index. Here, for each top-level `c.<property> = @<parameter>` of a query's WHERE clause,
 * a per-container index (kept up to date on every write) gives the documents with that value, in the
 * container's own order; the query then runs unchanged over those documents only. Since every match is
 * among them and their order is the container's, the answer and its continuation tokens are the same as
 * over the whole container.
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
  ast: { body?: { where?: { condition?: AstNode }; from?: { source?: { expression?: AstNode } } } };
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

const indexes = new WeakMap<ServerItems, Map<string, PropertyIndex>>();
const plans = new WeakMap<Query, Equality[]>();

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
    for (const [property, index] of indexes.get(this) ?? []) add(index, property, stored);
    return stored;
  };
  proto.delete = function (this: ServerItems, idOrRid: string, partition?: string) {
    const doc = this._item("/id", idOrRid, partition).read();
    remove.call(this, idOrRid, partition);
    if (doc)
      for (const [property, index] of indexes.get(this) ?? []) index.get(doc[property])?.delete(doc._rid);
  };
  proto.query = function (this: ServerItems, params: QueryParams, options: PageOptions) {
    const parent = this._parent.read();
    if (!parent) return query.call(this, params, options);
    const q = this._getQuery(params.query);
    const candidates = narrowest(this, q, params.parameters ?? []);
    if (!candidates) return query.call(this, params, options);
    // The rest is the server's own `query`, over the candidates instead of every document.
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
    }
  };
  return true;
}

/** The documents of the most selective indexed equality, or undefined to scan the whole container. */
function narrowest(
  items: ServerItems,
  q: Query,
  parameters: QueryParams["parameters"] & object,
): Doc[] | undefined {
  let best: Map<string, Doc> | undefined;
  for (const { property, parameter } of planOf(q)) {
    const value = parameters.find((p) => p.name === parameter)?.value;
    // Only a string, number or boolean equals exactly the same value; anything else takes the full scan.
    if (
      !(
        typeof value === "string" ||
        typeof value === "boolean" ||
        (typeof value === "number" && !Number.isNaN(value))
      )
    )
      continue;
    const bucket = indexOf(items, property).get(value) ?? new Map<string, Doc>();
    if (!best || bucket.size < best.size) best = bucket;
  }
  return best ? [...best.values()] : undefined;
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

/** The WHERE clause's top-level `c.<property> = @<parameter>` conditions (joined by AND), per query text. */
function planOf(q: Query): Equality[] {
  let plan = plans.get(q);
  if (!plan) {
    plan = [];
    const alias = fromAlias(q);
    const condition = q.ast.body?.where?.condition;
    if (alias && condition) collect(condition, alias, plan);
    plans.set(q, plan);
  }
  return plan;
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
    if (
      member?.type === "scalar_member_expression" &&
      !member.computed &&
      member.object?.type === "identifier" &&
      member.object.name === alias &&
      member.property?.name &&
      parameter?.type === "parameter_name" &&
      parameter.name
    ) {
      out.push({ property: member.property.name, parameter: parameter.name });
      return;
    }
  }
}
