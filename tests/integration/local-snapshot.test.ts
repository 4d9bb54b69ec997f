import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { describe, expect, it } from "vitest";
import { ensureDatabase } from "../../api/store/cosmos.ts";
import { openStore } from "../../api/store/store.ts";
import { loadSnapshot, saveSnapshot } from "../../dev/cosmos-snapshot.ts";
import { startLocalCosmos } from "../../dev/local-cosmos.ts";
import { localCertificate } from "../support/stack.ts";

/** `npm start` keeps local data across restarts: saved from one local server, loaded into a fresh one. */
describe("local data survives a restart", () => {
  it("saves every container and loads it into a new server, ETags and all reads working", async () => {
    const tls = await localCertificate();
    const file = join(mkdtempSync(join(tmpdir(), "snapshot-")), "cosmos-snapshot.json");
    const database = "directory-sync";
    const audit = {
      id: "a1",
      tenantId: "t1",
      type: "audit" as const,
      actor: { oid: "o", name: "Admin" },
      action: "connection.create",
      target: { kind: "connection", id: "c1" },
      changes: {},
      at: "2026-01-01T00:00:00.000Z",
    };

    const first = await startLocalCosmos(tls);
    const store = await openStore({ endpoint: first.endpoint, key: first.key, database });
    await store.audit.create(audit);
    await store.audit.create({ ...audit, id: "a2", tenantId: "t2" });
    const client = new CosmosClient({
      endpoint: first.endpoint,
      key: first.key,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    expect(await saveSnapshot(client, database, file)).toBe(2);
    store.close();
    client.dispose();
    await first.close();

    const second = await startLocalCosmos(tls);
    const client2 = new CosmosClient({
      endpoint: second.endpoint,
      key: second.key,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    await ensureDatabase(client2, database);
    expect(await loadSnapshot(client2, database, file)).toBe(2);
    const reopened = await openStore({ endpoint: second.endpoint, key: second.key, database });
    const restored = await reopened.audit.require("t1", "a1");
    expect(restored).toMatchObject({ action: "connection.create", tenantId: "t1" });
    expect(await reopened.audit.all("t2")).toHaveLength(1);
    // Restored documents take part in optimistic concurrency like any other.
    await reopened.audit.replace({ ...restored, action: "changed" });
    reopened.close();
    client2.dispose();
    await second.close();
  });

  it("writes the snapshot, which holds every profile, readable by its owner only (mode 0600)", async () => {
    const tls = await localCertificate();
    const file = join(mkdtempSync(join(tmpdir(), "snapshot-")), "cosmos-snapshot.json");
    // A snapshot (and a half-written one) left by an older version with the default mode 0644.
    writeFileSync(file, "{}", { mode: 0o644 });
    writeFileSync(`${file}.tmp`, "{}", { mode: 0o644 });
    const database = "directory-sync";
    const cosmos = await startLocalCosmos(tls);
    const client = new CosmosClient({
      endpoint: cosmos.endpoint,
      key: cosmos.key,
      connectionPolicy: { enableEndpointDiscovery: false },
    });
    try {
      await ensureDatabase(client, database);
      await saveSnapshot(client, database, file);
      expect((statSync(file).mode & 0o777).toString(8)).toBe("600");
    } finally {
      client.dispose();
      await cosmos.close();
    }
  });
});
