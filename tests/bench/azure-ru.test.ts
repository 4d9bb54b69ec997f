import { describe, expect, it } from "vitest";
import type { Store } from "../../api/store/store.ts";
import { azureRuSince, estimateAzureRu } from "../../bench/azure-ru.ts";

const doc = (id: string, bytes: number) => ({ id, tenantId: "t", pad: "x".repeat(bytes - 36 - id.length) });

function fakeStore() {
  const repo = {
    async create(d: unknown) {
      return d;
    },
    async upsert(d: unknown) {
      return d;
    },
    async replace(d: unknown) {
      return d;
    },
    async delete() {
      return true;
    },
    async bulkUpsert() {},
    async bulkDelete() {},
    async get(_t: string, id: string) {
      return id === "known" ? doc("known", 2048) : undefined;
    },
    async readMany(_t: string, ids: Iterable<string>) {
      return new Map([...ids].filter((i) => i === "known").map((i) => [i, doc(i, 1000)]));
    },
    async page() {
      return { items: [doc("a", 500)] };
    },
    async count() {
      return 0;
    },
    async *stream(_tenantId: string, spec: { where?: string }) {
      if (spec.where === "nothing matches") return;
      yield [doc("a", 1024 * 4), doc("b", 1024 * 4)];
    },
  };
  return { profiles: repo } as unknown as Store;
}

describe("Azure RU estimate", () => {
  it("charges writes by Microsoft's size table, deletes as 1 KB writes, reads by size, queries per page", async () => {
    const store = fakeStore();
    const ru = estimateAzureRu(store);
    const start = ru();
    await store.profiles.upsert(doc("one", 1024) as never);
    await store.profiles.bulkUpsert([doc("three", 3 * 1024), doc("small", 200)] as never);
    await store.profiles.bulkDelete("t", ["x", "y"]);
    const afterWrites = azureRuSince(start, ru());
    // 4.95 (1 KB) + 6.48 (3 KB, between 6.29 and 6.67) + 4.95 (under 1 KB) + 2 deletes × 4.95
    expect(afterWrites.writes).toBe(Math.round(4.95 + 6.48 + 4.95 + 2 * 4.95));
    expect(afterWrites.written.profiles).toMatchObject({ documents: 3 });
    await store.profiles.get("t", "known");
    await store.profiles.readMany("t", ["known", "gone", "gone"]);
    const reads = azureRuSince(start, ru());
    expect(reads.pointReads).toBe(Math.round(1.04 + 1 + 1));
    for await (const _ of store.profiles.stream("t", {})) {
      // 8 KB in one page: 2.5 for the page plus 1.33 - 1 for reading its results
    }
    expect(azureRuSince(start, ru()).queries).toBe(Math.round(2.5 + 0.33));
    // A query that found nothing still costs its page.
    for await (const _ of store.profiles.stream("t", { where: "nothing matches" })) {
      throw new Error("no page expected");
    }
    expect(azureRuSince(start, ru()).queries).toBe(Math.round(2.5 + 0.33 + 2.5));
  });
});
