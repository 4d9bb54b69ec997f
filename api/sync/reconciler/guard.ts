import type { SyncSettings } from "../../domain/sync-settings.ts";
import type { Removal, WriteContext } from "../context.ts";

export interface GuardVerdict {
  trips: boolean;
  threshold: string;
}

/**
 * The deletion guard: a run that would remove (delete or deactivate) more than the connection's count or
 * percentage threshold stops before removing anything, unless an admin confirmed at least that many.
 */
export function checkDeletionGuard(
  guard: SyncSettings["deletionGuard"],
  removals: number,
  population: number,
  confirmed = 0,
): GuardVerdict {
  const threshold = `more than ${guard.maxCount} records or ${guard.maxPercent}% of ${population}`;
  if (!guard.enabled || removals === 0 || removals <= confirmed) return { trips: false, threshold };
  const overCount = guard.maxCount > 0 && removals > guard.maxCount;
  const overPercent =
    guard.maxPercent > 0 && population > 0 && (removals * 100) / population > guard.maxPercent;
  return { trips: overCount || overPercent, threshold };
}

/**
 * Users whose removal the guard will hold back until an admin confirms. They stay untouched meanwhile,
 * list memberships included: a halted run must not already have taken them out of every list.
 */
export function heldBackUsers(ctx: WriteContext, userRemovals: Removal[], population: number): Set<string> {
  const trips =
    !ctx.preview &&
    checkDeletionGuard(
      ctx.settings.deletionGuard,
      userRemovals.length,
      population,
      ctx.reporter.task.confirmedRemovals ?? 0,
    ).trips;
  return new Set(trips ? userRemovals.map((r) => r.sourceId) : []);
}
