import { randomUUID } from "node:crypto";
import { Items } from "@azure/cosmos";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditDoc } from "../../api/store/documents.ts";
import { startTestStore } from "../support/stack.ts";

const TENANT = "55555555-5555-5555-5555-555555555555";
const OTHER_TENANT = "66666666-6666-6666-6666-666666666666";

const audit = (i: number, tenantId = TENANT): AuditDoc => ({
  id: `batch-${randomUUID()}-${i}`,
  tenantId,
  type: "audit",
  actor: { oid: "admin", name: "Admin" },
  action: "connection.update",
  target: { kind: "connection", id: "c1" },
  changes: {},
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(),
});

/** Upserts go to the local Cosmos server through the real SDK; the SDK's two write paths are watched. */
describe("bulk upserts", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  beforeAll(async () => {
    stack = await startTestStore();
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("go as one transactional batch per 100 documents of a tenant, never hashing each operation", async () => {
    const batch = vi.spyOn(Items.prototype, "batch");
    const bulk = vi.spyOn(Items.prototype, "bulk");
    const docs = [...Array.from({ length: 230 }, (_, i) => audit(i)), audit(0, OTHER_TENANT)];
    await stack.store.audit.bulkUpsert(docs);
    expect(batch).toHaveBeenCalledTimes(4);
    expect(batch.mock.calls.map(([ops, key]) => [ops.length, key]).sort()).toEqual([
      [1, OTHER_TENANT],
      [100, TENANT],
      [100, TENANT],
      [30, TENANT],
    ]);
    expect(bulk).not.toHaveBeenCalled();
    const read = await stack.store.audit.readMany(
      TENANT,
      docs.filter((d) => d.tenantId === TENANT).map((d) => d.id),
    );
    expect(read.size).toBe(230);
    expect(await stack.store.audit.get(OTHER_TENANT, docs[230]?.id as string)).toBeDefined();
  });

  it("send a batch Cosmos refused again operation by operation, so every document lands once", async () => {
    const original = Items.prototype.batch;
    let refused = 0;
    vi.spyOn(Items.prototype, "batch").mockImplementation(function (this: Items, ...args) {
      // The second batch is refused, as Cosmos refuses a whole transactional batch when one operation fails.
      refused += 1;
      if (refused === 2) return Promise.reject(new Error("Batch request error: Request rate is large"));
      return original.apply(this, args);
    });
    const bulk = vi.spyOn(Items.prototype, "bulk");
    const docs = Array.from({ length: 250 }, (_, i) => audit(i));
    await stack.store.audit.bulkUpsert(docs);
    expect(bulk).toHaveBeenCalledTimes(1);
    expect(bulk.mock.calls[0]?.[0]).toHaveLength(100);
    const read = await stack.store.audit.readMany(
      TENANT,
      docs.map((d) => d.id),
    );
    expect(read.size).toBe(250);
  });
});
