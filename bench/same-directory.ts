import type { TenantDocument, TenantRepository } from "../api/store/repository.ts";
import type { Store } from "../api/store/store.ts";

/** One container of two synced directories, compared as multisets of keys (duplicates count). */
interface Comparison {
  uninterrupted: number;
  resumed: number;
  /** In the uninterrupted run's directory only. */
  missing: number;
  /** In the resumed run's directory only, or more often than there. */
  extra: number;
}

export type DirectoryComparison = Record<keyof typeof SHAPES, Comparison>;

type Row = Record<string, unknown>;

// Keyed by source ids: the two connections (and so every document id) differ, the directory must not.
const SHAPES = {
  profiles: {
    select: "c.sourceId, c.status, c.hash",
    key: (r: Row) => `${r.sourceId} ${r.status} ${r.hash}`,
  },
  lists: {
    select: "c.sourceId, c.status, c.hash, c.memberCount",
    key: (r: Row) => `${r.sourceId} ${r.status} ${r.hash} ${r.memberCount}`,
  },
  memberships: {
    select: "c.listSourceId, c.memberSourceId",
    key: (r: Row) => `${r.listSourceId} ${r.memberSourceId}`,
  },
};

// The local Cosmos server scans the whole container for every page: few, large pages.
const PAGE_SIZE = 10_000;

export interface SyncedDirectory {
  store: Store;
  tenantId: string;
  connectionId: string;
}

/** Compares what two connections synced: profiles, lists and membership edges. */
export async function compareDirectories(
  uninterrupted: SyncedDirectory,
  resumed: SyncedDirectory,
): Promise<DirectoryComparison> {
  const result = {} as DirectoryComparison;
  for (const name of Object.keys(SHAPES) as (keyof typeof SHAPES)[]) {
    // +1 per key in the uninterrupted directory, -1 per key in the resumed one: what remains differs.
    const tally = new Map<string, number>();
    const count = async (from: SyncedDirectory, sign: 1 | -1) => {
      let n = 0;
      for await (const page of rows(from, name)) {
        for (const row of page) {
          const key = SHAPES[name].key(row);
          tally.set(key, (tally.get(key) ?? 0) + sign);
        }
        n += page.length;
      }
      return n;
    };
    const comparison = { uninterrupted: await count(uninterrupted, 1), resumed: await count(resumed, -1) };
    let missing = 0;
    let extra = 0;
    for (const n of tally.values()) {
      if (n > 0) missing += n;
      else extra -= n;
    }
    result[name] = { ...comparison, missing, extra };
  }
  return result;
}

export const sameDirectory = (d: DirectoryComparison) =>
  Object.values(d).every((c) => c.missing === 0 && c.extra === 0);

function rows(from: SyncedDirectory, name: keyof typeof SHAPES): AsyncGenerator<Row[]> {
  const repo = from.store[name] as unknown as TenantRepository<TenantDocument>;
  return repo.stream(
    from.tenantId,
    {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: from.connectionId }],
      select: SHAPES[name].select,
    },
    PAGE_SIZE,
  ) as AsyncGenerator<Row[]>;
}
