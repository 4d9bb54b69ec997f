import type { ConnectionDoc, LeaseDoc } from "../store/documents.ts";
import { isStoreError } from "../store/errors.ts";
import type { TenantRepository } from "../store/repository.ts";
import type { Store } from "../store/store.ts";
import { changedSince, type SlotBackoff } from "./backoff.ts";

/**
 * One schedule slot per connection, kept in the `leases` container under a reserved partition (tenant ids
 * are GUIDs, so it cannot clash), because the scheduler must find due work across all tenants and every
 * tenant query is scoped to one partition. A slot is a lease: whoever replaces it with the ETag they read
 * owns that due time; everyone else gets 412 and moves on.
 */
export const SCHEDULER_PARTITION = "_scheduler";

export interface ScheduleSlotDoc extends LeaseDoc {
  purpose: "schedule";
  connectionTenantId: string;
  connectionId: string;
  /** Earliest of the next scheduled run and the next daily admin check; what the scheduler queries. */
  nextAt: string;
  /** Next scheduled run; absent when the schedule is off. */
  dueAt?: string;
  adminCheckAt: string;
  lastFullAt?: string;
  lastRunAt?: string;
  /** Set while the connection keeps failing for one cause (backoff.ts). */
  backoff?: SlotBackoff;
}

export const slotId = (tenantId: string, connectionId: string) => `schedule.${tenantId}.${connectionId}`;

export const slotRepository = (store: Store) => store.leases as unknown as TenantRepository<ScheduleSlotDoc>;

const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 24 * 3600_000;

export function nextAtOf(slot: Pick<ScheduleSlotDoc, "dueAt" | "adminCheckAt">): string {
  return slot.dueAt && slot.dueAt < slot.adminCheckAt ? slot.dueAt : slot.adminCheckAt;
}

/**
 * Keeps the slot in step with the connection after a create, update, (re)activation or delete. An
 * enabled schedule is due one interval from now; a deactivated connection keeps only its daily check.
 */
export async function syncSlot(
  store: Store,
  connection: ConnectionDoc | undefined,
  ref: { tenantId: string; id: string },
  now: number,
): Promise<void> {
  const repo = slotRepository(store);
  const id = slotId(ref.tenantId, ref.id);
  if (!connection) {
    await repo.delete(SCHEDULER_PARTITION, id);
    return;
  }
  // ETag-guarded, so an admin's change never overwrites a scheduler's claim made in between.
  for (let attempt = 1; ; attempt++) {
    const existing = await repo.get(SCHEDULER_PARTITION, id);
    const slot = slotFor(connection, existing, now);
    try {
      if (existing) await repo.replace(slot, { ifMatch: existing._etag });
      else await repo.create(slot);
      return;
    } catch (err) {
      const raced = isStoreError(err, "precondition-failed") || isStoreError(err, "conflict");
      if (!raced || attempt >= 5) throw err;
    }
  }
}

function slotFor(
  connection: ConnectionDoc,
  existing: ScheduleSlotDoc | undefined,
  now: number,
): ScheduleSlotDoc {
  const interval = connection.schedule.intervalMinutes * 60_000;
  // A push connection is driven by its SCIM client, never by the schedule.
  const runs = connection.schedule.enabled && connection.status !== "inactive" && connection.kind !== "scim";
  // A change to a quarantined connection may be the fix (a new secret, new settings): run at once. A
  // connection still quarantined keeps its wait.
  const backoff =
    existing?.backoff && !changedSince(existing.backoff, connection) ? existing.backoff : undefined;
  const fixed = Boolean(existing?.backoff && !backoff && connection.status === "active");
  // Keep an existing due time unless the new interval makes it later than one interval from now.
  const keepDue = existing?.dueAt && (backoff || existing.dueAt <= iso(now + interval));
  const dueAt = runs ? (fixed ? iso(now) : keepDue ? existing?.dueAt : iso(now + interval)) : undefined;
  const adminCheckAt = existing?.adminCheckAt ?? iso(now + DAY_MS);
  return {
    id: slotId(connection.tenantId, connection.id),
    tenantId: SCHEDULER_PARTITION,
    type: "lease",
    purpose: "schedule",
    owner: existing?.owner ?? "",
    expiresAt: existing?.expiresAt ?? iso(now),
    connectionTenantId: connection.tenantId,
    connectionId: connection.id,
    ...(dueAt ? { dueAt } : {}),
    adminCheckAt,
    nextAt: nextAtOf({ dueAt, adminCheckAt }),
    ...(existing?.lastFullAt ? { lastFullAt: existing.lastFullAt } : {}),
    ...(existing?.lastRunAt ? { lastRunAt: existing.lastRunAt } : {}),
    ...(backoff && runs ? { backoff } : {}),
    ...(existing?._etag ? { _etag: existing._etag } : {}),
  };
}
