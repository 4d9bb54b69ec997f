import type { Logger } from "../logger.ts";

/** What starting a run can come to: started, another run holds the connection, or not allowed now. */
export type RunStart = "started" | "busy" | "refused";

export interface CoalescerOptions {
  /** A run starts once notifications have been quiet this long... */
  quietMs?: number;
  /** ...or this long after the first notification of a burst, whichever comes first. */
  maxDelayMs?: number;
  /** While another run holds the connection, ask again this often (its read may predate the change). */
  busyRetryMs?: number;
}

interface Pending {
  firstAt: number;
  timer: NodeJS.Timeout;
}

/**
 * Turns many notifications for one connection into one incremental run: a debounce with a ceiling, so a
 * steady stream of changes still gets a run every `maxDelayMs`, and a burst of a thousand changes a handful.
 */
export class RunCoalescer {
  private readonly pending = new Map<string, Pending>();
  private readonly starting = new Set<Promise<void>>();
  private stopped = false;
  readonly stats = { requests: 0, runsStarted: 0 };

  constructor(
    private readonly startRun: (tenantId: string, connectionId: string) => Promise<RunStart>,
    private readonly logger: Logger,
    private readonly options: CoalescerOptions = {},
    private readonly now: () => number = Date.now,
  ) {}

  request(tenantId: string, connectionId: string): void {
    if (this.stopped) return;
    this.stats.requests++;
    const key = `${tenantId}/${connectionId}`;
    const quiet = this.options.quietMs ?? 500;
    const max = this.options.maxDelayMs ?? 3000;
    const existing = this.pending.get(key);
    const firstAt = existing?.firstAt ?? this.now();
    if (existing) clearTimeout(existing.timer);
    const wait = Math.max(0, Math.min(quiet, firstAt + max - this.now()));
    const timer = setTimeout(() => this.fire(key, tenantId, connectionId), wait);
    timer.unref();
    this.pending.set(key, { firstAt, timer });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    await Promise.allSettled([...this.starting]);
  }

  private fire(key: string, tenantId: string, connectionId: string): void {
    this.pending.delete(key);
    const attempt = (async () => {
      let outcome: RunStart;
      try {
        outcome = await this.startRun(tenantId, connectionId);
      } catch (err) {
        this.logger.warn(
          { err, tenantId, connectionId },
          "a run for change notifications could not be started",
        );
        outcome = "busy";
      }
      if (outcome === "started") this.stats.runsStarted++;
      if (outcome === "busy" && !this.stopped && !this.pending.has(key)) {
        const timer = setTimeout(
          () => this.fire(key, tenantId, connectionId),
          this.options.busyRetryMs ?? 1000,
        );
        timer.unref();
        this.pending.set(key, { firstAt: this.now(), timer });
      }
    })();
    const tracked = attempt.finally(() => this.starting.delete(tracked));
    this.starting.add(tracked);
  }
}
