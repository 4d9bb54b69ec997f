import type { TenantDocument, TenantRepository } from "../api/store/repository.ts";
import type { Store } from "../api/store/store.ts";

/** Containers that hold the synced directory; the "zero writes" target is about these. */
const DIRECTORY_CONTAINERS = ["profiles", "lists", "memberships"] as const;

const COUNTED = [
  ...DIRECTORY_CONTAINERS,
  "photos",
  "tasks",
  "taskRecords",
  "syncState",
  "leases",
  "events",
  "connections",
] as const;
type Counted = (typeof COUNTED)[number];

export type WriteCounts = Record<Counted, number>;

/**
 * Counts documents written per container by wrapping the repositories' write methods in place (the
 * store's metrics count operations, not which container they wrote to, nor reads apart from writes). A
 * bulk call counts each document; update() counts once, through the replace it ends with.
 */
export function countWrites(store: Store): () => WriteCounts {
  const counts = Object.fromEntries(COUNTED.map((c) => [c, 0])) as WriteCounts;
  for (const name of COUNTED) {
    const repo = store[name] as unknown as TenantRepository<TenantDocument>;
    const tally =
      <A extends unknown[], R>(weight: (...args: A) => number, write: (...args: A) => R) =>
      (...args: A): R => {
        counts[name] += weight(...args);
        return write(...args);
      };
    const one = (..._args: unknown[]) => 1;
    Object.assign(repo, {
      create: tally(one, repo.create.bind(repo)),
      upsert: tally(one, repo.upsert.bind(repo)),
      replace: tally(one, repo.replace.bind(repo)),
      delete: tally(one, repo.delete.bind(repo)),
      bulkUpsert: tally((docs: TenantDocument[]) => docs.length, repo.bulkUpsert.bind(repo)),
      bulkDelete: tally((_tenantId: string, ids: string[]) => ids.length, repo.bulkDelete.bind(repo)),
    });
  }
  return () => ({ ...counts });
}

export const directoryWrites = (w: WriteCounts) => DIRECTORY_CONTAINERS.reduce((n, c) => n + w[c], 0);

export function writesSince(before: WriteCounts, after: WriteCounts): WriteCounts {
  return Object.fromEntries(COUNTED.map((c) => [c, after[c] - before[c]])) as WriteCounts;
}
