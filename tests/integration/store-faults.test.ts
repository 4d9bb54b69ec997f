import { randomUUID } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditDoc } from "../../api/store/documents.ts";
import { openStore, type Store } from "../../api/store/store.ts";
import { startTestStore } from "../support/stack.ts";

const TENANT = "44444444-4444-4444-4444-444444444444";

/**
 * A TCP relay in front of the local Cosmos server that can cut the next connection it carries data on, as
 * a load balancer or a server closing an idle keep-alive socket would: the client sees "socket hang up".
 */
class FlakyRelay {
  private server: Server | undefined;
  private cuts = 0;
  cutsDone = 0;

  constructor(private readonly target: URL) {}

  async start(): Promise<string> {
    this.server = createServer((client: Socket) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      client.on("data", (chunk) => {
        if (this.cuts > 0) {
          this.cuts--;
          this.cutsDone++;
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.on("data", (chunk) => client.write(chunk));
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "localhost", resolve));
    const address = this.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    return `https://localhost:${port}/`;
  }

  cutNext(n = 1): void {
    this.cuts = n;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const audit = (i: number): AuditDoc => ({
  id: `fault-${String(i).padStart(3, "0")}`,
  tenantId: TENANT,
  type: "audit",
  actor: { oid: "admin", name: "Admin" },
  action: "connection.update",
  target: { kind: "connection", id: "c1" },
  changes: {},
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
});

describe("store calls over a connection that drops", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  let relay: FlakyRelay;
  let store: Store;
  beforeAll(async () => {
    stack = await startTestStore();
    relay = new FlakyRelay(new URL(stack.endpoint));
    const endpoint = await relay.start();
    store = await openStore({ endpoint, key: stack.key, database: `faults-${randomUUID().slice(0, 8)}` });
  });
  afterAll(async () => {
    store?.close();
    await relay?.close();
    await stack?.close();
  });

  it("bulk writes and reads carry on after a dropped connection, each document once", async () => {
    const docs = Array.from({ length: 250 }, (_, i) => audit(i));
    relay.cutNext();
    await store.audit.bulkUpsert(docs);
    expect(relay.cutsDone).toBe(1);
    relay.cutNext();
    const read = await store.audit.readMany(
      TENANT,
      docs.map((d) => d.id),
    );
    expect(read.size).toBe(250);
    expect(relay.cutsDone).toBe(2);
  });

  it("a query page lost to a dropped connection is asked for again: nothing repeated, nothing skipped", async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of store.audit.stream(TENANT, { orderBy: "c.id ASC" }, 40)) {
      ids.push(...page.map((d) => d.id));
      if (++pages === 2) relay.cutNext();
    }
    expect(relay.cutsDone).toBe(3);
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    expect(ids).toEqual([...ids].sort());
    relay.cutNext();
    expect(await store.audit.count(TENANT)).toBe(250);
  });
});
