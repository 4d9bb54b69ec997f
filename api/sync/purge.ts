import type { ChangeFeed, PlannedEvent } from "../feed/change-feed.ts";
import { publicList, publicProfile } from "../feed/public-shapes.ts";
import type { ListDoc, ProfileDoc } from "../store/documents.ts";
import type { TenantDocument, TenantRepository } from "../store/repository.ts";
import type { Store } from "../store/store.ts";
import { photoId } from "./photos.ts";

export interface PurgeResult {
  profiles: number;
  lists: number;
  taskRecords: number;
  events: number;
}

/**
 * Removes what has outlived its retention: soft-deleted profiles and lists after their window (each with a
 * `*.purged` event in the change feed), task records past their expiry, and change-feed events past the
 * feed's retention. Production Cosmos also has TTL on task records, but correctness must not depend on it
 * (the local server has none), so this job is the rule and TTL only a saving.
 */
export async function purgeExpired(
  store: Store,
  now: Date = new Date(),
  feed?: ChangeFeed,
): Promise<PurgeResult> {
  const at = [{ name: "@now", value: now.toISOString() }];
  // Each run writes as its own owner: event ids are derived from the owner, and an object purged again in a
  // later run (restored, deleted and expired once more) must get a new event, not the id of the first one.
  const owner = `purge:${now.toISOString()}`;
  const purged = (kind: "profile" | "list", doc: ProfileDoc | ListDoc): PlannedEvent => ({
    eventType: kind === "profile" ? "profile.purged" : "list.purged",
    object: { kind, id: doc.id },
    data: kind === "profile" ? publicProfile(doc as ProfileDoc) : publicList(doc as ListDoc),
    connectionId: doc.connectionId,
    expect: { container: kind === "profile" ? "profiles" : "lists", id: doc.id, present: false },
  });
  const profiles = await purge(
    store.profiles,
    "c.status = 'deleted' AND c.purgeAfter < @now",
    at,
    { feed, owner, eventOf: (doc) => purged("profile", doc) },
    async (tenantId, ids) => {
      await store.photos.bulkDelete(tenantId, ids.map(photoId));
    },
  );
  const lists = await purge(store.lists, "c.status = 'deleted' AND c.purgeAfter < @now", at, {
    feed,
    owner,
    eventOf: (doc) => purged("list", doc),
  });
  const taskRecords = await purge(store.taskRecords, "c.expiresAt < @now", at);
  const events = feed ? await feed.trimExpired(now.getTime()) : 0;
  return { profiles, lists, taskRecords, events };
}

async function purge<T extends TenantDocument>(
  repo: TenantRepository<T>,
  where: string,
  parameters: { name: string; value: string }[],
  announce?: { feed: ChangeFeed | undefined; owner: string; eventOf: (doc: T) => PlannedEvent },
  alsoRemove?: (tenantId: string, ids: string[]) => Promise<void>,
): Promise<number> {
  const feed = announce?.feed;
  const eventOf = announce?.eventOf;
  let removed = 0;
  const select = feed && eventOf ? "*" : "c.id, c.tenantId";
  for await (const page of repo.streamAllTenants({ where, parameters, select }, 500)) {
    const byTenant = new Map<string, T[]>();
    for (const doc of page) byTenant.set(doc.tenantId, [...(byTenant.get(doc.tenantId) ?? []), doc]);
    for (const [tenantId, docs] of byTenant) {
      const ids = docs.map((d) => d.id);
      const remove = async () => {
        await alsoRemove?.(tenantId, ids);
        await repo.bulkDelete(tenantId, ids);
      };
      if (feed && eventOf) await feed.write(tenantId, announce.owner, {}, docs.map(eventOf), remove);
      else await remove();
      removed += ids.length;
    }
  }
  return removed;
}
