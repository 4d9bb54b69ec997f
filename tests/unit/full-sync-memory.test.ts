import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Store } from "../../api/store/store.ts";
import { EmailTally } from "../../api/sync/email-tally.ts";
import type { MappedUser } from "../../api/sync/mapping.ts";
import { ProfileLedger, withNames } from "../../api/sync/profile-ledger.ts";
import { UserSpill } from "../../api/sync/user-spill.ts";

const user = (n: number): MappedUser => ({
  sourceId: `user-${n}`,
  displayName: `Person ${n}`,
  fields: { email: `p${n}@contoso.example`, jobTitle: n % 2 ? "Engineer" : null },
  attributes: {},
  email: `p${n}@contoso.example`,
  upn: `p${n}@contoso.example`,
  enabled: n % 3 !== 0,
});

describe("what a full sync remembers across the run", () => {
  it("reads spilled users back in read order, in windows, and removes its folder on close", async () => {
    const spill = await UserSpill.open();
    await spill.append([1, 2, 3].map((n) => ({ user: user(n) })));
    await spill.append([]);
    await spill.append([
      { user: user(4), excluded: "guest account, and guests are excluded" },
      { user: user(5) },
    ]);
    const windows: string[][] = [];
    for await (const w of spill.windows(2))
      windows.push(w.map((u) => u.user.sourceId + (u.excluded ? "!" : "")));
    expect(windows).toEqual([["user-1", "user-2"], ["user-3", "user-4!"], ["user-5"]]);
    const [again] = await collect(spill.windows(10));
    expect(again?.[2]?.user).toEqual(user(3));
    const folders = (await readdir(tmpdir())).filter((f) => f.startsWith("entra-sync-users-"));
    await spill.close();
    const after = new Set(await readdir(tmpdir()));
    expect(folders.filter((f) => !after.has(f))).toHaveLength(1);
  });

  it("removes the spill folder a killed worker left a day ago, and leaves a recent one alone", async () => {
    const stale = await mkdtemp(join(tmpdir(), "entra-sync-users-"));
    const recent = await mkdtemp(join(tmpdir(), "entra-sync-users-"));
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    await utimes(stale, twoDaysAgo, twoDaysAgo);
    const spill = await UserSpill.open();
    await spill.close();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    await rm(recent, { recursive: true, force: true });
  });

  it("tells shared emails apart case-insensitively without keeping the addresses", () => {
    const tally = new EmailTally();
    tally.add("Taylor@Contoso.example");
    tally.add("sam@contoso.example");
    tally.add(undefined);
    expect(tally.anyShared).toBe(false);
    tally.add("taylor@contoso.example");
    expect(tally.anyShared).toBe(true);
    expect(tally.isShared("TAYLOR@contoso.example")).toBe(true);
    expect(tally.isShared("sam@contoso.example")).toBe(false);
    expect(tally.isShared("nobody@contoso.example")).toBe(false);
  });

  it("gives back each stored profile's planning fields from its packed form", async () => {
    const rows = [
      { id: "conn.a", sourceId: "a", source: "entra", status: "active", hash: "h-a", lastTaskId: "task-now" },
      {
        id: "legacy-7",
        sourceId: "b",
        source: "manual",
        status: "inactive",
        hash: "h-b",
        lastTaskId: "task-old",
        photo: { hash: "ph", contentType: "image/jpeg", etag: 'W/"x\ty"' },
        adopted: true,
      },
      {
        id: "conn.c",
        sourceId: "c",
        source: "entra",
        status: "deleted",
        hash: "h-c",
        lastTaskId: "task-old",
      },
      { id: "manual-9", sourceId: "d", source: "manual", status: "active", hash: "h-d", lastTaskId: "t" },
    ];
    const store = {
      profiles: {
        async *stream() {
          yield rows.slice(0, 2);
          yield rows.slice(2);
        },
      },
    } as unknown as Store;
    const ledger = await ProfileLedger.load(store, "tenant", "conn", "task-now");
    expect(ledger.population).toBe(3);
    expect([...ledger.sourceIds()]).toEqual(["a", "b", "c", "d"]);
    expect(ledger.status("c")).toBe("deleted");
    expect(ledger.status("z")).toBeUndefined();
    expect(ledger.entry("a")).toEqual({
      id: "conn.a",
      sourceId: "a",
      connectionId: "conn",
      source: "entra",
      status: "active",
      hash: "h-a",
      lastTaskId: "task-now",
      displayName: "",
    });
    const b = ledger.entry("b");
    expect(b).toMatchObject({ id: "legacy-7", source: "manual", status: "inactive", adopted: true });
    expect(b?.photo).toEqual(rows[1]?.photo);
    expect(b?.lastTaskId).not.toBe("task-now");
    expect([...ledger.entries(["a", "z", "c"]).keys()]).toEqual(["a", "c"]);
    // "legacy-7" is adopted and already marked; "manual-9" is adopted (not this connection's own id) but not.
    expect(ledger.unmarkedAdoptions()).toEqual(["manual-9"]);
    const named = withNames(
      ledger.entry("a") as NonNullable<ReturnType<ProfileLedger["entry"]>>,
      {
        displayName: "Ada",
        emailKey: "ada@contoso.example",
      } as never,
    );
    expect(named).toMatchObject({ displayName: "Ada", emailKey: "ada@contoso.example" });
  });
});

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}
