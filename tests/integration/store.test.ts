import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditDoc } from "../../api/store/documents.ts";
import { isStoreError } from "../../api/store/errors.ts";
import type { Store } from "../../api/store/store.ts";
import { startTestStore } from "../support/stack.ts";

const TENANT_A = "11111111-1111-1111-1111-111111111111";
const TENANT_B = "22222222-2222-2222-2222-222222222222";

const audit = (tenantId: string, id: string, action = "connection.update"): AuditDoc => ({
  id,
  tenantId,
  type: "audit",
  actor: { oid: "admin", name: "Admin" },
  action,
  target: { kind: "connection", id: "c1" },
  changes: {},
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, Number(id.replace(/\D/g, "")) || 0)).toISOString(),
});

describe("store on the local Cosmos server through @azure/cosmos", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  let store: Store;
  beforeAll(async () => {
    stack = await startTestStore();
    store = stack.store;
  });
  afterAll(() => stack?.close());

  it("creates, reads and refuses a duplicate id", async () => {
    await store.audit.create(audit(TENANT_A, "dup"));
    expect((await store.audit.get(TENANT_A, "dup"))?.action).toBe("connection.update");
    await expect(store.audit.create(audit(TENANT_A, "dup"))).rejects.toSatisfy((e) =>
      isStoreError(e, "conflict"),
    );
  });

  it("rejects a replace with a stale ETag and retries read-modify-write", async () => {
    const created = await store.audit.create(audit(TENANT_A, "etag"));
    const first = await store.audit.replace({ ...created, action: "first" });
    expect(first._etag).not.toBe(created._etag);
    await expect(store.audit.replace({ ...created, action: "stale" })).rejects.toSatisfy((e) =>
      isStoreError(e, "precondition-failed"),
    );
    const updated = await store.audit.update(TENANT_A, "etag", (doc) => ({ ...doc, action: "third" }));
    expect(updated.action).toBe("third");
  });

  it("never returns another tenant's documents, even for the same id", async () => {
    await store.audit.create(audit(TENANT_B, "shared-id", "tenant-b"));
    await store.audit.create(audit(TENANT_A, "shared-id", "tenant-a"));
    expect((await store.audit.get(TENANT_B, "shared-id"))?.action).toBe("tenant-b");
    const all = await store.audit.all(TENANT_B);
    expect(all.map((d) => d.tenantId)).toEqual([TENANT_B]);
  });

  it("pages with continuation tokens in order, without gaps or repeats", async () => {
    const docs = Array.from({ length: 23 }, (_, i) => audit("33333333-3333-3333-3333-333333333333", `p${i}`));
    await store.audit.bulkUpsert(docs);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await store.audit.page(
        "33333333-3333-3333-3333-333333333333",
        { orderBy: "c.at ASC" },
        { pageSize: 5, continuationToken: token },
      );
      seen.push(...page.items.map((d) => d.id));
      token = page.continuationToken;
      pages++;
    } while (token);
    expect(pages).toBe(5);
    expect(seen).toEqual(docs.map((d) => d.id));
    expect(await store.audit.count("33333333-3333-3333-3333-333333333333")).toBe(23);
  });

  it("bulk deletes and counts operations", async () => {
    const before = store.metrics.snapshot().operations;
    await store.audit.bulkDelete("33333333-3333-3333-3333-333333333333", ["p0", "p1", "missing"]);
    expect(await store.audit.count("33333333-3333-3333-3333-333333333333")).toBe(21);
    expect(store.metrics.snapshot().operations).toBeGreaterThan(before);
  });

  it("reads many documents by id with point reads: missing ids are absent, other tenants' never returned", async () => {
    await store.audit.create(audit(TENANT_A, "many-1", "a1"));
    await store.audit.create(audit(TENANT_A, "many-2", "a2"));
    await store.audit.create(audit(TENANT_B, "many-3", "b3"));
    const ids = ["many-1", "many-2", "many-3", "never-written", "many-1"];
    const found = await store.audit.readMany(TENANT_A, ids);
    expect([...found.keys()].sort()).toEqual(["many-1", "many-2"]);
    expect(found.get("many-2")?.action).toBe("a2");
    // More ids than one bulk request carries.
    const spread = Array.from({ length: 250 }, (_, i) => `absent-${i}`);
    expect((await store.audit.readMany(TENANT_A, [...spread, "many-1"])).size).toBe(1);
  });
});
