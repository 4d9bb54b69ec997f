import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CosmosClient } from "@azure/cosmos";
import { describe, expect, it } from "vitest";
import { ensureDatabase } from "../../api/store/cosmos.ts";
import { openStore } from "../../api/store/store.ts";
import { loadSnapshot, saveSnapshot } from "../../dev/cosmos-snapshot.ts";
import { type LocalCosmos, startLocalCosmos } from "../../dev/local-cosmos.ts";
import { localCertificate } from "../support/stack.ts";

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

async function freshServer(): Promise<LocalCosmos> {
  const cosmos = await startLocalCosmos(await localCertificate());
  const client = new CosmosClient({
    endpoint: cosmos.endpoint,
    key: cosmos.key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  await ensureDatabase(client, database);
  client.dispose();
  return cosmos;
}

/** `npm start` keeps local data across restarts: saved from one local server, loaded into a fresh one. */
describe("local data survives a restart", () => {
  it("saves every container and loads it into a new server, ETags, queries and order all working", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "snapshot-")), "cosmos-snapshot.jsonl");
    const first = await freshServer();
    const store = await openStore({ endpoint: first.endpoint, key: first.key, database });
    await store.audit.create(audit);
    await store.audit.create({ ...audit, id: "a2", tenantId: "t2" });
    // More than one write chunk, with characters a line-based format must keep intact.
    const names = Array.from({ length: 2500 }, (_, i) => `Zoë "Line\\nBreak" Ångström ${i}\n${i}`);
    await store.audit.bulkUpsert(
      names.map((name, i) => ({ ...audit, id: `b${i}`, actor: { oid: "o", name } })),
    );
    const savedOrder = (await store.audit.all("t1")).map((d) => d.id);
    expect(savedOrder).toHaveLength(2501);
    const writesBefore = first.documents.writes();
    expect(await saveSnapshot(first.documents, database, file)).toBe(2502);
    // Saving reads the server's memory: it is no write, so an idle `npm start` skips its next save.
    expect(first.documents.writes()).toBe(writesBefore);
    store.close();
    await first.close();

    const second = await freshServer();
    expect(await loadSnapshot(second.documents, database, file)).toBe(2502);
    const reopened = await openStore({ endpoint: second.endpoint, key: second.key, database });
    const restored = await reopened.audit.require("t1", "a1");
    expect(restored).toMatchObject({ action: "connection.create", tenantId: "t1" });
    expect(await reopened.audit.all("t2")).toHaveLength(1);
    const all = await reopened.audit.all("t1");
    // Same documents in the same order (a query without ORDER BY returns them in insertion order).
    expect(all.map((d) => d.id)).toEqual(savedOrder);
    const byId = new Map(all.map((d) => [d.id, d.actor.name]));
    expect(names.map((_, i) => byId.get(`b${i}`))).toEqual(names);
    // Restored documents take part in optimistic concurrency like any other.
    await reopened.audit.replace({ ...restored, action: "changed" });
    await expect(reopened.audit.replace({ ...restored, action: "stale" })).rejects.toThrow();
    reopened.close();
    await second.close();
  });

  it("loads data saved by older versions (one JSON object) and replaces that file at the next save", async () => {
    const folder = mkdtempSync(join(tmpdir(), "snapshot-"));
    const legacy = join(folder, "cosmos-snapshot.json");
    writeFileSync(legacy, JSON.stringify({ audit: [audit, { ...audit, id: "a2" }], profiles: [] }), {
      mode: 0o600,
    });
    const cosmos = await freshServer();
    try {
      const file = join(folder, "cosmos-snapshot.jsonl");
      expect(await loadSnapshot(cosmos.documents, database, file)).toBe(2);
      expect(cosmos.documents.all(database, "audit")?.map((d) => d.id)).toEqual(["a1", "a2"]);
      await saveSnapshot(cosmos.documents, database, file);
      expect(() => statSync(legacy)).toThrow();
      expect(readFileSync(file, "utf8").split("\n")[0]).toBe('{"snapshot":2}');
    } finally {
      await cosmos.close();
    }
  });

  it("refuses a file that is cut short instead of starting with part of the data", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "snapshot-")), "cosmos-snapshot.jsonl");
    const cosmos = await freshServer();
    try {
      writeFileSync(file, `{"snapshot":2}\n{"container":"audit","documents":3}\n${JSON.stringify(audit)}\n`);
      await expect(loadSnapshot(cosmos.documents, database, file)).rejects.toThrow(
        /ends 2 documents early \(in audit\): move it aside \(or delete it\) to start with empty local data/,
      );
    } finally {
      await cosmos.close();
    }
  });

  it("names the file, the damaged line and the way out when a snapshot cannot be read", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "snapshot-")), "cosmos-snapshot.jsonl");
    const cosmos = await freshServer();
    try {
      writeFileSync(
        file,
        `{"snapshot":2}\n{"container":"audit","documents":2}\n${JSON.stringify(audit)}\n{"id":\n`,
      );
      await expect(loadSnapshot(cosmos.documents, database, file)).rejects.toThrow(
        `${file} has a damaged line 4`,
      );
      writeFileSync(file, "{}\n");
      await expect(loadSnapshot(cosmos.documents, database, file)).rejects.toThrow(
        `${file} is not a local data snapshot: move it aside (or delete it) to start with empty local data`,
      );
    } finally {
      await cosmos.close();
    }
  });

  it("writes the snapshot, which holds every profile, readable by its owner only (mode 0600)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "snapshot-")), "cosmos-snapshot.jsonl");
    // A snapshot (and a half-written one) left by an older version with the default mode 0644.
    writeFileSync(file, "{}", { mode: 0o644 });
    writeFileSync(`${file}.tmp`, "{}", { mode: 0o644 });
    const cosmos = await freshServer();
    try {
      await saveSnapshot(cosmos.documents, database, file);
      expect((statSync(file).mode & 0o777).toString(8)).toBe("600");
    } finally {
      await cosmos.close();
    }
  });
});
