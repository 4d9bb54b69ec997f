import type { TenantDocument, TenantRepository } from "../api/store/repository.ts";
import type { Store } from "../api/store/store.ts";

/**
 * Wall time during which at least one call was in flight (overlapping calls count once), so a run's
 * time splits into waiting for Graph, waiting for Cosmos, and the rest (CPU, Retry-After pauses).
 */
export class BusyClock {
  private inFlight = 0;
  private since = 0;
  private total = 0;

  enter(): () => void {
    if (this.inFlight++ === 0) this.since = performance.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.inFlight === 0) this.total += performance.now() - this.since;
    };
  }

  ms(): number {
    return this.total + (this.inFlight > 0 ? performance.now() - this.since : 0);
  }

  async time<T>(work: () => Promise<T>): Promise<T> {
    const leave = this.enter();
    try {
      return await work();
    } finally {
      leave();
    }
  }
}

/** Times fetch calls to one origin (the Graph client uses the global fetch); returns the undo. */
export function timeFetch(origin: string, clock: BusyClock): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return url.startsWith(origin) ? clock.time(() => original(input, init)) : original(input, init);
  };
  return () => {
    globalThis.fetch = original;
  };
}

const CALLS = ["get", "create", "upsert", "replace", "delete", "page", "count", "bulkUpsert", "bulkDelete"];

/** Times every Cosmos call the store's repositories make, streamed query pages included. */
export function timeStore(store: Store, clock: BusyClock): void {
  for (const value of Object.values(store)) {
    if (!value || typeof value !== "object" || !("stream" in value)) continue;
    const repo = value as TenantRepository<TenantDocument> & Record<string, unknown>;
    for (const name of CALLS) {
      const call = (repo[name] as (...args: unknown[]) => Promise<unknown>).bind(repo);
      repo[name] = (...args: unknown[]) => clock.time(() => call(...args));
    }
    for (const name of ["stream", "streamAllTenants"] as const) {
      const stream = (repo[name] as (...args: unknown[]) => AsyncGenerator<TenantDocument[]>).bind(repo);
      repo[name] = async function* (...args: unknown[]) {
        const pages = stream(...args);
        for (;;) {
          const next = await clock.time(() => pages.next());
          if (next.done) return;
          yield next.value;
        }
      };
    }
  }
}
