import type { LeaseDoc } from "../store/documents.ts";
import { isStoreError } from "../store/errors.ts";
import type { TenantRepository } from "../store/repository.ts";

/**
 * A lease in Cosmos that only one process can hold at a time, whatever the number of API instances:
 * created if absent, taken over with an ETag check only when it has expired, renewed while work goes on.
 */
export class Leases {
  constructor(
    private readonly repo: TenantRepository<LeaseDoc>,
    private readonly owner: string,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(
    tenantId: string,
    id: string,
    ttlMs: number,
    taskId?: string,
  ): Promise<{ acquired: true; lease: LeaseDoc } | { acquired: false; holder: LeaseDoc }> {
    const fresh: LeaseDoc = {
      id,
      tenantId,
      type: "lease",
      owner: this.owner,
      expiresAt: new Date(this.now() + ttlMs).toISOString(),
      ...(taskId ? { taskId } : {}),
    };
    try {
      return { acquired: true, lease: await this.repo.create(fresh) };
    } catch (err) {
      if (!isStoreError(err, "conflict")) throw err;
    }
    const current = await this.repo.get(tenantId, id);
    if (!current) return this.acquire(tenantId, id, ttlMs, taskId);
    // A live lease is only ever re-taken by its owner for the same task (a renewal or a resumed run).
    const live = Date.parse(current.expiresAt) > this.now();
    if (live && (current.owner !== this.owner || current.taskId !== taskId))
      return { acquired: false, holder: current };
    try {
      return {
        acquired: true,
        lease: await this.repo.replace({ ...fresh, _etag: current._etag } as LeaseDoc),
      };
    } catch (err) {
      if (isStoreError(err, "precondition-failed")) {
        const holder = await this.repo.get(tenantId, id);
        if (holder) return { acquired: false, holder };
      }
      throw err;
    }
  }

  async renew(lease: LeaseDoc, ttlMs: number): Promise<LeaseDoc> {
    return this.repo.replace({ ...lease, expiresAt: new Date(this.now() + ttlMs).toISOString() });
  }

  async release(lease: LeaseDoc): Promise<void> {
    try {
      await this.repo.delete(lease.tenantId, lease.id, lease._etag ? { ifMatch: lease._etag } : {});
    } catch (err) {
      // Someone took it over after it expired: theirs now.
      if (!isStoreError(err, "precondition-failed")) throw err;
    }
  }
}
