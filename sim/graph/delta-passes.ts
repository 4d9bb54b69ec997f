import type { ObjectKind, TenantState } from "../directory/state.ts";

/**
 * Graph answers every page of a delta round from that round's snapshot, taken when the round began. The
 * simulator does the same: the first page works out which objects the round returns (for the initial round
 * only their ids, rendered page by page, since a million rendered users would not fit in memory; for a round
 * of changes the rendered entries) and later pages read
 * their slice from here instead of walking the whole tenant again. Rounds are remembered per tenant, a
 * bounded number of them, and forgotten when idle for a while; a page whose round was forgotten is worked
 * out again from the tenant, as before.
 */
export type PassRows = { ids: string[] } | { docs: Record<string, unknown>[] };

/** What identifies a round besides its number: a token of another round (or tenant state) never matches. */
export interface PassKey {
  k: ObjectKind;
  from: number;
  to: number;
  sel?: string[];
  ids?: string[];
}

interface Pass {
  key: string;
  rows: PassRows;
  usedAt: number;
}

/** Rounds in progress per tenant that stay remembered; the oldest idle one makes room for a new one. */
const MAX_PASSES = 8;
/** A round nobody read for this long is forgotten (a client resuming later gets its pages worked out again). */
const IDLE_MS = 30 * 60 * 1000;

interface TenantPasses {
  next: number;
  passes: Map<number, Pass>;
}

const byTenant = new WeakMap<TenantState, TenantPasses>();

const keyOf = (key: PassKey) => JSON.stringify([key.k, key.from, key.to, key.sel ?? null, key.ids ?? null]);

function passesOf(t: TenantState): TenantPasses {
  let entry = byTenant.get(t);
  if (!entry) {
    entry = { next: 1, passes: new Map() };
    byTenant.set(t, entry);
  }
  return entry;
}

function forgetIdle(entry: TenantPasses, now: number): void {
  for (const [id, pass] of entry.passes) if (now - pass.usedAt > IDLE_MS) entry.passes.delete(id);
}

/** Remembers a new round's rows; returns its number, to be carried in the round's skiptokens. */
export function rememberPass(t: TenantState, key: PassKey, rows: PassRows, now: number): number {
  const entry = passesOf(t);
  forgetIdle(entry, now);
  while (entry.passes.size >= MAX_PASSES) {
    const oldest = [...entry.passes].reduce((a, b) => (b[1].usedAt < a[1].usedAt ? b : a));
    entry.passes.delete(oldest[0]);
  }
  const id = entry.next++;
  entry.passes.set(id, { key: keyOf(key), rows, usedAt: now });
  return id;
}

/** The rows of a remembered round, or undefined when it was forgotten or the token is not of this round. */
export function recallPass(
  t: TenantState,
  id: number | undefined,
  key: PassKey,
  now: number,
): PassRows | undefined {
  if (id === undefined) return undefined;
  const entry = passesOf(t);
  forgetIdle(entry, now);
  const pass = entry.passes.get(id);
  if (!pass || pass.key !== keyOf(key)) return undefined;
  pass.usedAt = now;
  return pass.rows;
}

/** Called when a round's last page was served: nobody needs its rows any more. */
export function forgetPass(t: TenantState, id: number | undefined): void {
  if (id !== undefined) byTenant.get(t)?.passes.delete(id);
}

export const rowCount = (rows: PassRows) => ("ids" in rows ? rows.ids.length : rows.docs.length);
