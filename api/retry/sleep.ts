import { setTimeout as delay } from "node:timers/promises";

/** Waits `ms`; rejects (AbortError) as soon as the signal aborts, so a cancelled call stops waiting. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const sleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};
