import { z } from "zod";
import type { Logger } from "../logger.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { clientStateMatches } from "./client-state.ts";
import type { RunCoalescer } from "./coalescer.ts";
import { findBySubscription, type LiveSyncDoc, liveRepository } from "./live-state.ts";
import type { LiveSubscriptions } from "./subscriptions.ts";

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

/** One item of Graph's `value` array: a change notification or a lifecycle notification. */
const notificationSchema = z.looseObject({
  subscriptionId: guid,
  tenantId: guid,
  clientState: z.string().max(128).nullish(),
  changeType: z.string().max(100).optional(),
  lifecycleEvent: z.string().max(100).optional(),
  resource: z.string().max(500).optional(),
});

/** Graph posts `{"value": [...]}`; a collection holds at most a few hundred items. */
export const notificationCollectionSchema = z.object({
  value: z.array(notificationSchema).min(1).max(1000),
});

export type GraphNotification = z.infer<typeof notificationSchema>;

/** How often the "last notification" time is written per connection, so a burst is not a burst of writes. */
const LAST_SEEN_WRITE_MS = 10_000;

/**
 * What happens after the endpoint has answered 202: each notification is checked against its subscription
 * (known id in the tenant it names, clientState compared in constant time); changes wake the connection's
 * incremental run through the coalescer; lifecycle events reauthorize, re-create or catch up.
 */
export class NotificationHandler {
  private readonly lastSeenWritten = new Map<string, number>();
  readonly stats = { accepted: 0, rejected: 0, lifecycle: 0 };

  constructor(
    private readonly store: Store,
    private readonly subscriptions: LiveSubscriptions,
    private readonly coalescer: RunCoalescer,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns how many items were refused, so the endpoint can slow down whoever keeps sending forgeries. */
  async handle(items: GraphNotification[]): Promise<{ rejected: number }> {
    const found = new Map<string, LiveSyncDoc | undefined>();
    const refused: { tenantId: string; subscriptionId: string; known: boolean }[] = [];
    for (const item of items) {
      const key = `${item.tenantId}/${item.subscriptionId}`;
      if (!found.has(key))
        found.set(key, await findBySubscription(this.store, item.tenantId, item.subscriptionId));
      const doc = found.get(key);
      const sub = doc?.subscriptions.find((s) => s.id === item.subscriptionId);
      if (!doc || !sub || !clientStateMatches(item.clientState, sub.clientStateHash)) {
        this.stats.rejected++;
        refused.push({ tenantId: item.tenantId, subscriptionId: item.subscriptionId, known: Boolean(sub) });
        continue;
      }
      if (item.lifecycleEvent) await this.lifecycle(doc, item);
      else {
        this.stats.accepted++;
        this.coalescer.request(doc.tenantId, doc.connectionId);
      }
      await this.noteSeen(doc, item.lifecycleEvent);
    }
    // One line per collection, not per item: a flood of forgeries must not become a flood of log lines.
    // Never log the clientState itself: a forger could learn nothing, a real one must stay secret.
    if (refused.length > 0)
      this.logger.warn(
        { rejected: refused.length, first: refused.slice(0, 3) },
        "change notifications ignored: unknown subscription or wrong clientState",
      );
    return { rejected: refused.length };
  }

  private async lifecycle(doc: LiveSyncDoc, item: GraphNotification): Promise<void> {
    this.stats.lifecycle++;
    const connection = await this.store.connections.get(doc.tenantId, doc.connectionId);
    if (!connection) return;
    this.logger.info(
      { tenantId: doc.tenantId, connectionId: doc.connectionId, event: item.lifecycleEvent },
      "Graph lifecycle notification",
    );
    try {
      if (item.lifecycleEvent === "reauthorizationRequired")
        await this.subscriptions.reauthorize(connection, item.subscriptionId);
      else if (item.lifecycleEvent === "subscriptionRemoved")
        await this.subscriptions.ensure(connection, { recreate: item.subscriptionId });
    } catch (err) {
      this.logger.warn(
        { err, tenantId: doc.tenantId, connectionId: doc.connectionId },
        "lifecycle event not handled",
      );
      await this.subscriptions.ensure(connection).catch(() => undefined);
    }
    // Whatever happened while notifications were paused, removed or missed is read with the delta link.
    this.catchUp(connection);
  }

  private catchUp(connection: ConnectionDoc): void {
    this.coalescer.request(connection.tenantId, connection.id);
  }

  private async noteSeen(doc: LiveSyncDoc, lifecycleEvent: string | undefined): Promise<void> {
    const key = `${doc.tenantId}/${doc.connectionId}`;
    const now = this.now();
    if (!lifecycleEvent && now - (this.lastSeenWritten.get(key) ?? 0) < LAST_SEEN_WRITE_MS) return;
    this.lastSeenWritten.set(key, now);
    const at = new Date(now).toISOString();
    await liveRepository(this.store)
      .update(doc.tenantId, doc.id, (current) => {
        if (lifecycleEvent) current.lastLifecycle = { event: lifecycleEvent, at };
        else current.lastNotificationAt = at;
        return current;
      })
      .catch(() => undefined);
  }
}
