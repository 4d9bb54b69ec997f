import type { TenantDocument, TenantRepository } from "../store/repository.ts";
import type { Store } from "../store/store.ts";
import { photoId } from "./photos.ts";

export interface PurgeResult {
  profiles: number;
  lists: number;
  taskRecords: number;
}

/**
 * Removes what has outlived its retention: soft-deleted profiles and lists after their window, and task
 * records past their expiry. Production Cosmos also has TTL on task records, but correctness must not
 * depend on it (the local server has none), so this job is the rule and TTL only a saving.
 */
export async function purgeExpired(store: Store, now: Date = new Date()): Promise<PurgeResult> {
  const at = [{ name: "@now", value: now.toISOString() }];
  const profiles = await purge(
    store.profiles,
    "c.status = 'deleted' AND c.purgeAfter < @now",
    at,
    async (tenantId, ids) => {
      await store.photos.bulkDelete(tenantId, ids.map(photoId));
    },
  );
  const lists = await purge(store.lists, "c.status = 'deleted' AND c.purgeAfter < @now", at);
  const taskRecords = await purge(store.taskRecords, "c.expiresAt < @now", at);
  return { profiles, lists, taskRecords };
}

async function purge<T extends TenantDocument>(
  repo: TenantRepository<T>,
  where: string,
  parameters: { name: string; value: string }[],
  alsoRemove?: (tenantId: string, ids: string[]) => Promise<void>,
): Promise<number> {
  let removed = 0;
  for await (const page of repo.streamAllTenants({ where, parameters, select: "c.id, c.tenantId" }, 500)) {
    const byTenant = new Map<string, string[]>();
    for (const doc of page) byTenant.set(doc.tenantId, [...(byTenant.get(doc.tenantId) ?? []), doc.id]);
    for (const [tenantId, ids] of byTenant) {
      await alsoRemove?.(tenantId, ids);
      await repo.bulkDelete(tenantId, ids);
      removed += ids.length;
    }
  }
  return removed;
}
