import type { Container, OperationInput } from "@azure/cosmos";
import { describe, expect, it } from "vitest";
import { isStoreError } from "../../api/store/errors.ts";
import { StoreMetrics } from "../../api/store/metrics.ts";
import { TenantRepository } from "../../api/store/repository.ts";

/**
 * Cosmos answers a bulk request operation by operation; a throttled operation comes back as its own 429
 * inside a successful answer, and the SDK's legacy bulk API does not send it again.
 */
function throttlingContainer(throttles: number) {
  const sent: string[][] = [];
  let left = throttles;
  const items = {
    bulk: async (operations: OperationInput[]) => {
      sent.push(operations.map((o) => ("id" in o ? String(o.id) : "")));
      return operations.map((o) => {
        const throttled = left > 0 && ("id" in o ? String(o.id) : "").endsWith("7");
        if (throttled) left--;
        return throttled
          ? { statusCode: 429, requestCharge: 0 }
          : { statusCode: 200, requestCharge: 1, resourceBody: { id: "id" in o ? o.id : "", tenantId: "t" } };
      });
    },
  };
  return { container: { items } as unknown as Container, sent };
}

const noWait = { sleep: async () => {} };

describe("bulk operations Cosmos throttles one by one", () => {
  it("are sent again, alone, until they succeed; the rest are sent once", async () => {
    const { container, sent } = throttlingContainer(5);
    const repo = new TenantRepository(container, "profile", new StoreMetrics(), noWait);
    const ids = Array.from({ length: 150 }, (_, i) => `p${i}`);
    const found = await repo.readMany("t", ids);
    expect(found.size).toBe(150);
    // 150 operations in two batches, then only the throttled ones (p7, p17, … five of them) again.
    expect(sent.map((batch) => batch.length)).toEqual([100, 50, 5]);
    expect(sent[2]).toEqual(["p7", "p17", "p27", "p37", "p47"]);
  });

  it("fail as the database being unavailable when throttling does not stop", async () => {
    const { container, sent } = throttlingContainer(1_000);
    const repo = new TenantRepository(container, "profile", new StoreMetrics(), noWait);
    const error = await repo.readMany("t", ["p7", "p1"]).catch((e: unknown) => e);
    expect(isStoreError(error, "unavailable")).toBe(true);
    expect((error as Error).message).toBe("The database is busy or unreachable right now");
    // The first pass, then three retries of the throttled operation alone.
    expect(sent).toEqual([["p7", "p1"], ["p7"], ["p7"], ["p7"]]);
  });
});
