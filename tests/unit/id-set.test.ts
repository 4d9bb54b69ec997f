import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { IdSet } from "../../api/sync/id-set.ts";

describe("a full sync's compact set of ids", () => {
  it("answers what a Set of the same ids answers, through many growths of its table", () => {
    const ids = Array.from({ length: 20_000 }, () => randomUUID());
    const set = new IdSet();
    for (const id of ids.slice(0, 10_000)) set.add(id);
    // Adding again changes nothing.
    for (const id of ids.slice(0, 500)) set.add(id);
    expect(set.size).toBe(10_000);
    expect(ids.slice(0, 10_000).every((id) => set.has(id))).toBe(true);
    expect(ids.slice(10_000).some((id) => set.has(id))).toBe(false);
  });

  it("tells ids apart by every character, as a Set of strings does", () => {
    const id = "0b8d6a3e-5f1c-4d2e-9a7b-3c4d5e6f7a8b";
    const set = new IdSet().add(id);
    expect(set.has("0b8d6a3e-5f1c-4d2e-9a7b-3c4d5e6f7a8c")).toBe(false);
    expect(set.has("1b8d6a3e-5f1c-4d2e-9a7b-3c4d5e6f7a8b")).toBe(false);
    // The same GUID in capitals, or in another shape, is another id, kept as it is.
    expect(set.has(id.toUpperCase())).toBe(false);
    set.add(id.toUpperCase()).add("not-a-guid").add("").add("{0b8d6a3e-5f1c-4d2e-9a7b-3c4d5e6f7a8b}");
    expect(set.size).toBe(5);
    for (const other of [id.toUpperCase(), "not-a-guid", "", "{0b8d6a3e-5f1c-4d2e-9a7b-3c4d5e6f7a8b}"])
      expect(set.has(other)).toBe(true);
    expect(set.has("00000000-0000-0000-0000-000000000000")).toBe(false);
    set.add("00000000-0000-0000-0000-000000000000");
    expect(set.has("00000000-0000-0000-0000-000000000000")).toBe(true);
    expect(set.has("ffffffff-ffff-ffff-ffff-ffffffffffff")).toBe(false);
  });
});
