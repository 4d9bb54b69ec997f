import { purgeExpiredSessions } from "../auth/sessions.ts";
import type { ChangeFeed } from "../feed/change-feed.ts";
import type { Logger } from "../logger.ts";
import type { Store } from "../store/store.ts";
import { Leases } from "../sync/lease.ts";
import { type PurgeResult, purgeExpired } from "../sync/purge.ts";

const SYSTEM_TENANT = "_system";
const HOUR = 3600_000;

export type PurgeRemoved = PurgeResult & { sessions: number };

/**
 * One purge pass: expired soft deletes, task records, feed events and browser sessions. Undefined when another
 * instance holds the purge lease (it is doing the same pass).
 */
export async function purgeOnce(
  store: Store,
  owner: string,
  feed?: ChangeFeed,
  now: () => number = Date.now,
): Promise<PurgeRemoved | undefined> {
  const leases = new Leases(store.leases, owner, now);
  const claim = await leases.acquire(SYSTEM_TENANT, "purge", HOUR / 2);
  if (!claim.acquired) return undefined;
  const at = new Date(now());
  const records = await purgeExpired(store, at, feed);
  const sessions = await purgeExpiredSessions(store, at);
  return { ...records, sessions };
}

/** Hourly purge pass, run by one instance at a time. */
export function startPurgeJob(
  store: Store,
  logger: Logger,
  owner: string,
  feed?: ChangeFeed,
  now?: () => number,
): () => void {
  const run = async () => {
    const removed = await purgeOnce(store, owner, feed, now);
    if (removed && Object.values(removed).some((count) => count > 0))
      logger.info({ removed }, "purged expired records");
  };
  const timer = setInterval(() => run().catch((err) => logger.warn({ err }, "purge failed")), HOUR);
  timer.unref();
  run().catch((err) => logger.warn({ err }, "purge failed"));
  return () => clearInterval(timer);
}
