/**
 * A container's documents kept sorted on one property, as the local Cosmos server's query engine
 * (@zeit/cosmosdb-query) sorts them for `ORDER BY c.<property>`: by the property's type, then its value,
 * ties broken by `_rid` (ascending in both directions). Queries sorted on that property read it instead of
 * sorting every match on every page (see local-cosmos-index.ts).
 *
 * It follows writes as they come: each write only notes the document that left and the one that arrived,
 * and the next read folds the notes in (finds their places by binary search, or for many changes merges
 * them in one pass), instead of sorting the whole container again (100k profiles: 60-150 ms, paid by the
 * first tab page after any write). When more changes than documents pile up unread (a
 * full sync), the copy is dropped and built from scratch at the next read, which is then the cheaper way.
 */

export type Doc = Record<string, unknown> & { _rid: string };

/** `ORDER BY <alias>.<property> [ASC|DESC]` on a single top-level property. */
export interface SortOrder {
  property: string;
  descending: boolean;
}

const TYPE_ORDER = ["undefined", "null", "boolean", "number", "string", "array", "object"];
const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** The engine's comparison (helpers.js `comparator`): types in a fixed order, then values; objects all tie. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const typeA = typeOf(a);
  const typeB = typeOf(b);
  if (typeA !== typeB) return TYPE_ORDER.indexOf(typeA) - TYPE_ORDER.indexOf(typeB);
  if (typeA === "object") return 0;
  return (a as string) < (b as string) ? -1 : 1;
}

export class SortedCopy {
  private docs: Doc[];
  private readonly arrived = new Set<Doc>();
  private readonly departed = new Set<Doc>();
  /** Documents whose value is an array (see `consistent`). */
  private arrays = 0;

  constructor(
    readonly order: SortOrder,
    docs: Iterable<Doc>,
  ) {
    this.docs = [...docs];
    for (const doc of this.docs) if (Array.isArray(doc[order.property])) this.arrays++;
    this.docs.sort(this.compare);
  }

  /** The engine's order between two documents. */
  readonly compare = (a: Doc, b: Doc): number =>
    (this.order.descending ? -1 : 1) * compareValues(a[this.order.property], b[this.order.property]) ||
    compareValues(a._rid, b._rid);

  /**
   * Whether the order is one the engine's own sort would give: arrays compare as their text, so two
   * different arrays with the same text each sort after the other, and where such pairs exist the engine's
   * result depends on the order it was handed the documents in.
   */
  get consistent(): boolean {
    return this.arrays === 0;
  }

  /** Changes noted and not yet folded in. */
  get pending(): number {
    return this.arrived.size + this.departed.size;
  }

  get size(): number {
    return this.docs.length + this.arrived.size - this.departed.size;
  }

  /** A document was stored (created, or the new version of a replaced one). */
  add(doc: Doc): void {
    this.arrived.add(doc);
    if (Array.isArray(doc[this.order.property])) this.arrays++;
  }

  /** A stored document left (deleted, or the old version of a replaced one). */
  remove(doc: Doc): void {
    if (!this.arrived.delete(doc)) this.departed.add(doc);
    if (Array.isArray(doc[this.order.property])) this.arrays--;
  }

  /** Every document, in order. Do not change the array: it is the copy itself. */
  read(): Doc[] {
    if (this.pending === 0) return this.docs;
    const arrivals = [...this.arrived].sort(this.compare);
    // A few changes are put in place by binary search, with the documents between them copied as they are;
    // many take one merging pass that compares every document.
    const few = this.pending * Math.log2(this.docs.length + 2) < this.docs.length;
    this.docs = (few && this.placed(arrivals)) || this.merged(arrivals);
    this.arrived.clear();
    this.departed.clear();
    return this.docs;
  }

  /** Undefined when a departed document is not where its value puts it (changed in place): then merge. */
  private placed(arrivals: Doc[]): Doc[] | undefined {
    const { docs, compare } = this;
    const gone: number[] = [];
    for (const doc of this.departed) {
      const at = lowerBound(docs, doc, compare);
      if (docs[at] !== doc) return undefined;
      gone.push(at);
    }
    gone.sort((a, b) => a - b);
    const places = arrivals.map((doc) => lowerBound(docs, doc, compare));
    const out: Doc[] = [];
    let from = 0;
    let g = 0;
    let p = 0;
    for (;;) {
      const nextGone = gone[g] ?? docs.length;
      const nextPlace = places[p] ?? docs.length;
      const stop = Math.min(nextGone, nextPlace);
      for (let i = from; i < stop; i++) out.push(docs[i] as Doc);
      from = stop;
      if (p < places.length && nextPlace === stop) out.push(arrivals[p++] as Doc);
      else if (g < gone.length && nextGone === stop) {
        from = stop + 1;
        g++;
      } else return out;
    }
  }

  private merged(arrivals: Doc[]): Doc[] {
    const kept = this.departed.size > 0 ? this.docs.filter((doc) => !this.departed.has(doc)) : this.docs;
    return arrivals.length > 0 ? merge(kept, arrivals, this.compare) : kept;
  }
}

function merge(a: Doc[], b: Doc[], compare: (x: Doc, y: Doc) => number): Doc[] {
  const out = new Array<Doc>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length)
    out[k++] = compare(a[i] as Doc, b[j] as Doc) <= 0 ? (a[i++] as Doc) : (b[j++] as Doc);
  while (i < a.length) out[k++] = a[i++] as Doc;
  while (j < b.length) out[k++] = b[j++] as Doc;
  return out;
}

/** The first position whose document does not come before `doc`. */
function lowerBound(docs: Doc[], doc: Doc, compare: (a: Doc, b: Doc) => number): number {
  let low = 0;
  let high = docs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(docs[middle] as Doc, doc) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Per container: its sorted copies by order. */
const copies = new WeakMap<object, Map<string, SortedCopy>>();
const keyOf = (order: SortOrder) => `${order.property}:${order.descending}`;

/** The container's copy in this order, built from `all` the first time (or after it was dropped). */
export function sortedCopyOf(container: object, order: SortOrder, all: () => Iterable<Doc>): SortedCopy {
  let byOrder = copies.get(container);
  if (!byOrder) {
    byOrder = new Map();
    copies.set(container, byOrder);
  }
  let copy = byOrder.get(keyOf(order));
  if (!copy) {
    copy = new SortedCopy(order, all());
    byOrder.set(keyOf(order), copy);
  }
  return copy;
}

/** A write to the container: the document that left and the one stored, either may be absent. */
export function noteWrite(container: object, departed: Doc | undefined, arrived: Doc | undefined): void {
  const byOrder = copies.get(container);
  if (!byOrder) return;
  for (const [key, copy] of byOrder) {
    if (departed) copy.remove(departed);
    if (arrived) copy.add(arrived);
    // Folding in more changes than the copy holds costs more than sorting from scratch when next read.
    if (copy.pending > Math.max(1000, copy.size)) byOrder.delete(key);
  }
}
