import { randomUUID } from "node:crypto";
import type { FeedStateDoc, SequenceReservation } from "../store/documents.ts";
import { StoreError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";

const STATE_ID = "feed";
/** How long a writer may take between reserving sequence numbers and writing their documents. */
const DEFAULT_RESERVATION_MS = 120_000;

/**
 * Hands out each tenant's change-feed sequence numbers in blocks. A block stays open while its events and
 * documents are written; readers see events only below the oldest open block (the horizon), so a block
 * written late by a slower writer is never skipped by a reader that already read past it. The state is one
 * small document per tenant, changed with optimistic concurrency: it needs neither a transactional batch
 * nor the change feed, which the local Cosmos server lacks.
 */
export class FeedSequencer {
  /** Tenants whose state document exists: it is never deleted, so it is looked for once per process. */
  private readonly known = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly reservationMs = DEFAULT_RESERVATION_MS,
  ) {}

  async state(tenantId: string): Promise<FeedStateDoc> {
    const existing = await this.store.feedState.get(tenantId, STATE_ID);
    if (existing) return existing;
    try {
      return await this.store.feedState.create({
        id: STATE_ID,
        tenantId,
        type: "feedState",
        next: 1,
        open: [],
        trimmedThrough: 0,
      });
    } catch (err) {
      if (err instanceof StoreError && err.code === "conflict")
        return this.store.feedState.require(tenantId, STATE_ID);
      throw err;
    }
  }

  /** Reserves `count` consecutive sequence numbers for `owner` (a task id, or a job's name). */
  async reserve(tenantId: string, count: number, owner: string): Promise<SequenceReservation> {
    if (!this.known.has(tenantId)) {
      await this.state(tenantId);
      this.known.add(tenantId);
    }
    let reservation: SequenceReservation | undefined;
    await this.store.feedState.update(
      tenantId,
      STATE_ID,
      (state) => {
        reservation = {
          id: randomUUID(),
          owner,
          from: state.next,
          to: state.next + count - 1,
          expiresAt: new Date(this.now() + this.reservationMs).toISOString(),
        };
        return { ...state, next: state.next + count, open: [...state.open, reservation] };
      },
      20,
    );
    return reservation as SequenceReservation;
  }

  async release(tenantId: string, reservationId: string): Promise<void> {
    await this.store.feedState.update(
      tenantId,
      STATE_ID,
      (state) =>
        state.open.some((r) => r.id === reservationId)
          ? { ...state, open: state.open.filter((r) => r.id !== reservationId) }
          : undefined,
      20,
    );
  }

  /** Events at or below this sequence number are final: no writer can still add one. */
  static horizonOf(state: FeedStateDoc): number {
    const oldestOpen = Math.min(...state.open.map((r) => r.from));
    return Number.isFinite(oldestOpen) ? oldestOpen - 1 : state.next - 1;
  }

  async setTrimmedThrough(tenantId: string, seq: number): Promise<void> {
    await this.state(tenantId);
    await this.store.feedState.update(
      tenantId,
      STATE_ID,
      (state) => (seq > state.trimmedThrough ? { ...state, trimmedThrough: seq } : undefined),
      20,
    );
  }

  isExpired(reservation: SequenceReservation): boolean {
    return Date.parse(reservation.expiresAt) <= this.now();
  }
}
