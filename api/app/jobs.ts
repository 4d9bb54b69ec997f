import type { ChangeFeed } from "../feed/change-feed.ts";
import type { Logger } from "../logger.ts";
import type { Store } from "../store/store.ts";
import { Leases } from "../sync/lease.ts";
import { purgeExpired } from "../sync/purge.ts";

const SYSTEM_TENANT = "_system";
const HOUR = 3600_000;

/** Hourly purge of expired soft deletes and task records, run by one instance at a time. */
export function startPurgeJob(store: Store, logger: Logger, owner: string, feed?: ChangeFeed): () => void {
  const leases = new Leases(store.leases, owner);
  const run = async () => {
    const claim = await leases.acquire(SYSTEM_TENANT, "purge", HOUR / 2);
    if (!claim.acquired) return;
    const removed = await purgeExpired(store, new Date(), feed);
    if (removed.profiles + removed.lists + removed.taskRecords + removed.events > 0)
      logger.info({ removed }, "purged expired records");
  };
  const timer = setInterval(() => run().catch((err) => logger.warn({ err }, "purge failed")), HOUR);
  timer.unref();
  run().catch((err) => logger.warn({ err }, "purge failed"));
  return () => clearInterval(timer);
}
