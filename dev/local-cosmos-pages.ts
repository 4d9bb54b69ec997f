import { createRequire } from "node:module";
import { compareValues, type Doc, type SortOrder } from "./local-cosmos-sorted.ts";

/**
 * One page of a query sorted on one property, read from the container's sorted copy without running the
 * query over every document. The engine (@zeit/cosmosdb-query) filters every document, sorts the matches,
 * then seeks to the continuation token's position (`paginate` in its helpers.js) and cuts the page: at
 * 100k profiles a page cost a pass over all of them even when it needed fifty.
 *
 * Here the token's position is found in the sorted copy by binary search, and the engine runs unchanged
 * over the documents from there on, a window at a time, the window doubling until it holds more matches
 * than the page (or reaches the end). That is the same page and the same next token:
 * - the token's test (`paginate`: is the row at or after the token's sort value and `_rid`?) is a
 *   comparison in the copy's own order, so every document before the position fails it and every one from
 *   there on passes; the engine over the window therefore starts its page at the window's first match,
 *   which is the first match the full run would start at;
 * - a page and its next token are made from the first `maxItemCount + 1` matches from there on, which the
 *   window holds once it holds more than a page of them (or everything up to the end);
 * - the token's other fields come from the old token (`RT`, `TRC`) or are 0 in both runs (`SRC`, the count
 *   of rows sharing a `_rid`, which only a JOIN can make).
 * A token this cannot place (unreadable, from an unsorted query, or naming rows that share a `_rid`) is
 * left to the caller, which runs the query over everything as before.
 */

interface EngineToken {
  RID?: unknown;
  SRC?: unknown;
  RTD?: unknown[];
}

const require = createRequire(import.meta.url);
const token: { decode(token: string): EngineToken } = require("@zeit/cosmosdb-query/lib/continuation-token");

/** The smallest window, in documents: a few pages of the usual 50 without doubling. */
const FIRST_WINDOW = 256;

export interface PageRequest<P> {
  /** The container's documents in the query's order. */
  sorted: Doc[];
  order: SortOrder;
  /** Whether a document can match (its equality filters), when that rules out some of the container. */
  belongs?: (doc: Doc) => boolean;
  maxItemCount: number;
  continuation: unknown;
  /** The engine's query over these documents, with the request's page size and continuation. */
  run: (candidates: Doc[]) => P & { continuation: unknown };
}

/** The page, or undefined when the continuation cannot be placed in the copy. */
export function sortedPage<P>(request: PageRequest<P>): P | undefined {
  const { sorted, belongs, maxItemCount, run } = request;
  const start = startOf(request);
  if (start === undefined) return undefined;
  const candidates: Doc[] = [];
  let next = start;
  for (let window = Math.max(FIRST_WINDOW, 2 * (maxItemCount + 1)); ; window *= 2) {
    while (candidates.length < window && next < sorted.length) {
      const doc = sorted[next++] as Doc;
      if (!belongs || belongs(doc)) candidates.push(doc);
    }
    const page = run(candidates);
    if (page.continuation || next >= sorted.length) return page;
  }
}

/** Where the page starts in the copy: 0 without a continuation. */
function startOf({ sorted, order, continuation }: PageRequest<unknown>): number | undefined {
  if (!continuation) return 0;
  let decoded: EngineToken;
  try {
    decoded = token.decode((continuation as { token: string }).token);
  } catch {
    return undefined;
  }
  if (decoded.SRC || !Array.isArray(decoded.RTD) || decoded.RTD.length === 0) return undefined;
  const value = decoded.RTD[0];
  const sign = order.descending ? -1 : 1;
  // `paginate`'s test for the row the page starts at, in the same terms.
  const atOrAfter = (doc: Doc) => {
    const r = sign * compareValues(doc[order.property], value);
    return r !== 0 ? r > 0 : compareValues(doc._rid, decoded.RID) >= 0;
  };
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (atOrAfter(sorted[middle] as Doc)) high = middle;
    else low = middle + 1;
  }
  return low;
}
