import { randomUUID } from "node:crypto";
import type { FeedStateDoc, SequenceReservation } from "../store/documents.ts";
import { StoreError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";

const STATE_ID = "feed";
/** How long a writer may take between reserving sequence numbers and writing their documents. */
const DEFAULT_RESERVATION_MS = 120_000;
/**
 * How long a written block may stay open waiting to be closed by the tenant's next change of the state. A
 * sync writes its next batch well within this, so closing a block usually costs no request of its own.
 */
const DEFAULT_RELEASE_DELAY_MS = 250;
const ATTEMPTS = 20;
/** After a failed change, when the blocks it was to close are tried again. */
const RETRY_CLOSE_MS = 5_000;

/**
 * Hands out each tenant's change-feed sequence numbers in blocks. A block stays open while its events and
 * documents are written; readers see events only below the oldest open block (the horizon), so a block
 * written late by a slower writer is never skipped by a reader that already read past it. The state is one
 * small document per tenant, changed with optimistic concurrency: it needs neither a transactional batch
 * nor the change feed, which the local Cosmos server lacks.
 *
 * A sync changes the state twice per batch (open a block, close it). To keep that to about one request per
 * batch, this process remembers the state it last read or wrote (its ETag tells when another writer changed
 * it since), and a block whose documents are written is closed together with the next change, or on its
 * own after a short delay. Until then it only holds the horizon back; a writer dying in between leaves it
 * to expire and be settled like any other open block.
 */
export class FeedSequencer {
  /** The state as this process last read or wrote it, by tenant; a stale one is refused by its ETag. */
  private readonly latest = new Map<string, FeedStateDoc>();
  /** Changes of a tenant's state run one at a time, so they do not refuse each other's ETags. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Blocks whose documents are written, closed with the tenant's next change of the state. */
  private readonly closing = new Map<string, { ids: Set<string>; timer: NodeJS.Timeout }>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly reservationMs = DEFAULT_RESERVATION_MS,
    private readonly releaseDelayMs = DEFAULT_RELEASE_DELAY_MS,
  ) {}

  /** The tenant's state as stored now, with this process's written blocks closed first. */
  async state(tenantId: string): Promise<FeedStateDoc> {
    await this.closeWritten(tenantId).catch(() => undefined);
    return this.serial(tenantId, () => this.read(tenantId));
  }

  /** Reserves `count` consecutive sequence numbers for `owner` (a task id, or a job's name). */
  async reserve(tenantId: string, count: number, owner: string): Promise<SequenceReservation> {
    let reservation: SequenceReservation | undefined;
    await this.change(tenantId, (state) => {
      reservation = {
        id: randomUUID(),
        owner,
        from: state.next,
        to: state.next + count - 1,
        expiresAt: new Date(this.now() + this.reservationMs).toISOString(),
      };
      return { ...state, next: state.next + count, open: [...state.open, reservation] };
    });
    return reservation as SequenceReservation;
  }

  /** Closes the block now. */
  async release(tenantId: string, reservationId: string): Promise<void> {
    await this.change(tenantId, (state) =>
      state.open.some((r) => r.id === reservationId)
        ? { ...state, open: state.open.filter((r) => r.id !== reservationId) }
        : undefined,
    );
  }

  /** Closes the block with the tenant's next change of the state, or after a short delay at the latest. */
  releaseSoon(tenantId: string, reservationId: string, delayMs = this.releaseDelayMs): void {
    const pending = this.closing.get(tenantId);
    if (pending) {
      pending.ids.add(reservationId);
      return;
    }
    const timer = setTimeout(() => {
      this.change(tenantId, () => undefined).catch(() => undefined);
    }, delayMs);
    // A process may end with blocks still to close: they expire and are settled by the next reader.
    timer.unref();
    this.closing.set(tenantId, { ids: new Set([reservationId]), timer });
  }

  /** Closes now the blocks waiting to be closed, so their events are visible to every reader. */
  async closeWritten(tenantId: string): Promise<void> {
    if (this.closing.has(tenantId)) await this.change(tenantId, () => undefined);
  }

  /** Events at or below this sequence number are final: no writer can still add one. */
  static horizonOf(state: FeedStateDoc): number {
    const oldestOpen = Math.min(...state.open.map((r) => r.from));
    return Number.isFinite(oldestOpen) ? oldestOpen - 1 : state.next - 1;
  }

  async setTrimmedThrough(tenantId: string, seq: number): Promise<void> {
    await this.change(tenantId, (state) =>
      seq > state.trimmedThrough ? { ...state, trimmedThrough: seq } : undefined,
    );
  }

  /**
   * Makes `owner` the one process converting the tenant's unpacked events, until `untilMs` (asked again to
   * extend it). False when they are converted already or another process holds an unexpired claim.
   */
  async claimPacking(tenantId: string, owner: string, untilMs: number): Promise<boolean> {
    const state = await this.change(tenantId, (current) => {
      if (current.eventsPacked) return undefined;
      const holder = current.packing;
      if (holder && holder.owner !== owner && Date.parse(holder.expiresAt) > this.now()) return undefined;
      return { ...current, packing: { owner, expiresAt: new Date(untilMs).toISOString() } };
    });
    return !state.eventsPacked && state.packing?.owner === owner;
  }

  /** Records that every event is packed, if `owner` still holds the claim; answers whether they are. */
  async finishPacking(tenantId: string, owner: string): Promise<boolean> {
    const state = await this.change(tenantId, (current) => {
      if (current.packing?.owner !== owner) return undefined;
      const { packing: _done, ...rest } = current;
      return { ...rest, eventsPacked: true };
    });
    return state.eventsPacked === true;
  }

  isExpired(reservation: SequenceReservation): boolean {
    return Date.parse(reservation.expiresAt) <= this.now();
  }

  /**
   * Applies `edit` (and closes the blocks waiting to be closed) with optimistic concurrency: first against
   * the state this process knows, which is current unless another process changed it.
   */
  private change(
    tenantId: string,
    edit: (state: FeedStateDoc) => FeedStateDoc | undefined,
  ): Promise<FeedStateDoc> {
    return this.serial(tenantId, async () => {
      const closing = this.closing.get(tenantId);
      if (closing) {
        clearTimeout(closing.timer);
        this.closing.delete(tenantId);
      }
      const close = (state: FeedStateDoc) => {
        if (!closing || !state.open.some((r) => closing.ids.has(r.id))) return undefined;
        return { ...state, open: state.open.filter((r) => !closing.ids.has(r.id)) };
      };
      try {
        let current = this.latest.get(tenantId) ?? (await this.read(tenantId));
        for (let attempt = 1; ; attempt++) {
          const closed = close(current);
          const next = edit(structuredClone(closed ?? current)) ?? closed;
          if (!next) return current;
          try {
            const written = await this.store.feedState.replace(next, { ifMatch: current._etag });
            this.latest.set(tenantId, written);
            return written;
          } catch (err) {
            if (attempt >= ATTEMPTS || !(err instanceof StoreError && err.code === "precondition-failed"))
              throw err;
            current = await this.read(tenantId);
          }
        }
      } catch (err) {
        // The blocks this change was to close are written: keep trying to close them, at a calmer pace, so
        // one failed request does not hold every reader back until the reservations expire.
        if (closing) for (const id of closing.ids) this.releaseSoon(tenantId, id, RETRY_CLOSE_MS);
        throw err;
      }
    });
  }

  /** Reads (or creates) the tenant's state document and remembers it. */
  private async read(tenantId: string): Promise<FeedStateDoc> {
    const state = (await this.store.feedState.get(tenantId, STATE_ID)) ?? (await this.create(tenantId));
    this.latest.set(tenantId, state);
    return state;
  }

  private async create(tenantId: string): Promise<FeedStateDoc> {
    try {
      return await this.store.feedState.create({
        id: STATE_ID,
        tenantId,
        type: "feedState",
        next: 1,
        open: [],
        trimmedThrough: 0,
        // A tenant's first event is written after its state exists, so a new state has no unpacked events.
        eventsPacked: true,
      });
    } catch (err) {
      if (err instanceof StoreError && err.code === "conflict")
        return this.store.feedState.require(tenantId, STATE_ID);
      throw err;
    }
  }

  private serial<R>(tenantId: string, run: () => Promise<R>): Promise<R> {
    const previous = this.queues.get(tenantId) ?? Promise.resolve();
    const result = previous.then(run, run);
    const tail = result.catch(() => undefined);
    this.queues.set(tenantId, tail);
    // Forgotten once idle, so a process serving many tenants keeps no queue per tenant.
    void tail.then(() => {
      if (this.queues.get(tenantId) === tail) this.queues.delete(tenantId);
    });
    return result;
  }
}
