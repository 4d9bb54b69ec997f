import { describe, expect, it } from "vitest";
import { type Doc, SortedCopy } from "../../dev/local-cosmos-sorted.ts";
import { loadUnpatchedEngine } from "../support/unpatched-cosmos-query.ts";

const engine = loadUnpatchedEngine();

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

const VALUES: unknown[] = [
  "b",
  "a",
  "ab",
  "B",
  "",
  3,
  -1,
  2.5,
  0,
  true,
  false,
  null,
  { o: 1 },
  { o: 0 },
  undefined,
];

describe("a container's sorted copy", () => {
  it("puts documents in the engine's ORDER BY order, ties by _rid in both directions", () => {
    const next = random(7);
    const docs: Doc[] = Array.from({ length: 300 }, (_, i) => ({
      id: `d${i}`,
      _rid: `r${next(1000)}-${i}`,
      v: VALUES[next(VALUES.length)],
    }));
    for (const descending of [false, true]) {
      const copy = new SortedCopy({ property: "v", descending }, docs);
      const sql = `SELECT VALUE c.id FROM c ORDER BY c.v ${descending ? "DESC" : "ASC"}`;
      const ordered = engine.query(sql).exec(docs, {}).result;
      // The engine leaves out documents without the property; the copy keeps them in their place.
      expect(
        copy
          .read()
          .filter((d) => d.v !== undefined)
          .map((d) => d.id),
      ).toEqual(ordered);
    }
  });

  it("takes in creates, replaces and deletes, few or many at a time, as a copy sorted from scratch", () => {
    const next = random(11);
    let rid = 0;
    const create = (): Doc => ({
      id: `d${rid}`,
      _rid: `r${String(rid++).padStart(5, "0")}`,
      v: VALUES[next(VALUES.length)],
    });
    const stored = new Map<string, Doc>();
    for (let i = 0; i < 2000; i++) {
      const doc = create();
      stored.set(doc.id as string, doc);
    }
    for (const descending of [false, true]) {
      const copy = new SortedCopy({ property: "v", descending }, stored.values());
      // Batches of 1 to 600 changes: small ones are put in place, large ones merged.
      for (const batch of [1, 3, 40, 600, 7, 250]) {
        for (let i = 0; i < batch; i++) {
          const ids = [...stored.keys()];
          const id = ids[next(ids.length)] as string;
          const old = stored.get(id) as Doc;
          const change = next(3);
          if (change === 0) {
            const doc = create();
            stored.set(doc.id as string, doc);
            copy.add(doc);
          } else if (change === 1) {
            // A replace keeps the `_rid` and stores a new object.
            const doc = { ...old, v: VALUES[next(VALUES.length)] };
            copy.remove(old);
            stored.set(id, doc);
            copy.add(doc);
          } else {
            copy.remove(old);
            stored.delete(id);
          }
        }
        const fresh = new SortedCopy({ property: "v", descending }, stored.values());
        expect(copy.read()).toEqual(fresh.read());
        expect(copy.read().every((doc, i) => doc === fresh.read()[i])).toBe(true);
        expect(copy.size).toBe(stored.size);
      }
    }
  });
});
