import type { EventBus } from "../events.ts";
import type { ChangeFeed } from "../feed/change-feed.ts";
import { publicEvent } from "../feed/public-shapes.ts";
import type { DirectoryEventDoc, WebhookDeliveryDoc, WebhookEndpointDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { Leases } from "../sync/lease.ts";
import { instruments, type WebhookOutcome } from "../telemetry/instruments.ts";
import type { WebhookEndpoints } from "./endpoints.ts";
import { deliver, signedHeaders } from "./sender.ts";

export interface DispatcherOptions {
  allowPrivate: boolean;
  owner: string;
  now?: () => number;
  /** First retry delay; each next one doubles, with jitter, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A delivery is retried for this long (at least a day), then marked failed. */
  retryForMs?: number;
  /** An endpoint whose every attempt failed for this long is switched off and admins are alerted. */
  disableAfterMs?: number;
  /** Random in [0, 1): jitter source, replaceable for a deterministic run. */
  random?: () => number;
  concurrency?: number;
}

const DAY = 86_400_000;
const BATCH = 100;

/** The delay before retry `attempt` (1-based): exponential with "full jitter" in its upper half. */
export function retryDelay(attempt: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Delivers change-feed events to webhook endpoints, at least once: each event becomes a delivery record
 * before the endpoint's cursor moves past it, and a failed delivery is retried with exponential backoff
 * and jitter until it succeeds or has been failing for `retryForMs`. One instance at a time per endpoint
 * (a lease), so deliveries are not doubled by a busy cluster, though a crash may repeat one: receivers use
 * `webhook-id` to ignore repeats.
 */
export class WebhookDispatcher {
  private readonly leases: Leases;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly store: Store,
    private readonly feed: ChangeFeed,
    private readonly endpoints: WebhookEndpoints,
    private readonly events: EventBus | undefined,
    private readonly options: DispatcherOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.leases = new Leases(store.leases, options.owner, this.now);
  }

  /** One pass over every enabled endpoint; returns how many attempts were made. */
  async tick(): Promise<number> {
    let attempts = 0;
    for await (const page of this.store.webhookEndpoints.streamAllTenants({ where: "c.status = 'enabled'" }))
      for (const endpoint of page) attempts += await this.serve(endpoint);
    return attempts;
  }

  private async serve(endpoint: WebhookEndpointDoc): Promise<number> {
    const claim = await this.leases.acquire(endpoint.tenantId, `webhook.${endpoint.id}`, 60_000);
    if (!claim.acquired) return 0;
    try {
      await this.enqueueNew(endpoint);
      return await this.sendDue(endpoint);
    } finally {
      await this.leases.release(claim.lease).catch(() => undefined);
    }
  }

  /** Turns new feed events into pending deliveries, then moves the endpoint's cursor past them. */
  private async enqueueNew(endpoint: WebhookEndpointDoc): Promise<void> {
    let cursor = endpoint.cursor;
    for (;;) {
      const page = await this.feed.read(endpoint.tenantId, {
        after: cursor,
        limit: BATCH,
        ...(endpoint.eventTypes.length > 0 ? { types: endpoint.eventTypes } : {}),
      });
      if (page.events.length > 0)
        await this.store.webhookDeliveries.bulkUpsert(page.events.map((e) => this.pending(endpoint, e)));
      if (page.next === cursor) return;
      cursor = page.next;
      await this.store.webhookEndpoints.update(endpoint.tenantId, endpoint.id, (c) =>
        c.cursor >= cursor ? undefined : { ...c, cursor },
      );
      if (!page.hasMore) return;
    }
  }

  pending(
    endpoint: WebhookEndpointDoc,
    event: DirectoryEventDoc,
    attempts: WebhookDeliveryDoc["attempts"] = [],
  ): WebhookDeliveryDoc {
    const now = this.now();
    return {
      id: `${endpoint.id}.${event.id}`,
      tenantId: endpoint.tenantId,
      type: "webhookDelivery",
      endpointId: endpoint.id,
      eventId: event.id,
      seq: event.seq,
      eventType: event.eventType,
      status: "pending",
      attempts,
      nextAttemptAt: new Date(now).toISOString(),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 30 * DAY).toISOString(),
    };
  }

  private async sendDue(endpoint: WebhookEndpointDoc): Promise<number> {
    const due = await this.store.webhookDeliveries.page(
      endpoint.tenantId,
      {
        where: "c.endpointId = @e AND c.status = 'pending' AND c.nextAttemptAt <= @now",
        parameters: [
          { name: "@e", value: endpoint.id },
          { name: "@now", value: new Date(this.now()).toISOString() },
        ],
        orderBy: "c.seq ASC",
      },
      { pageSize: BATCH },
    );
    if (due.items.length === 0) return 0;
    const events = await this.feed.eventsById(
      endpoint.tenantId,
      due.items.map((d) => d.eventId),
    );
    const secrets = await this.endpoints.signingSecrets(endpoint);
    let succeeded = false;
    let failed = false;
    const limit = this.options.concurrency ?? 4;
    const queue = [...due.items];
    const work = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const event = events.get(d.eventId);
        const ok = await this.attempt(endpoint, d, event, secrets);
        if (ok) succeeded = true;
        else failed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, work));
    await this.trackHealth(endpoint, succeeded, failed);
    return due.items.length;
  }

  private async attempt(
    endpoint: WebhookEndpointDoc,
    delivery: WebhookDeliveryDoc,
    event: DirectoryEventDoc | undefined,
    secrets: string[],
  ): Promise<boolean> {
    if (!event) {
      // Retention removed the event before it could be delivered.
      await this.store.webhookDeliveries.upsert({
        ...delivery,
        status: "failed",
        nextAttemptAt: undefined,
      } as WebhookDeliveryDoc);
      this.count("failed", delivery.eventType);
      return false;
    }
    const body = JSON.stringify({ ...publicEvent(event), timestamp: event.occurredAt });
    const attempt = await deliver(
      endpoint.url,
      signedHeaders(secrets, event.id, new Date(this.now()), body),
      body,
      {
        allowPrivate: this.options.allowPrivate,
        now: this.now,
      },
    );
    const attempts = [...delivery.attempts, attempt].slice(-20);
    const ok = attempt.status >= 200 && attempt.status < 300;
    const giveUp = this.now() - Date.parse(delivery.createdAt) > (this.options.retryForMs ?? 3 * DAY);
    const next = retryDelay(
      attempts.length,
      this.options.baseDelayMs ?? 5_000,
      this.options.maxDelayMs ?? 3_600_000,
      this.random,
    );
    const { nextAttemptAt: _done, ...rest } = delivery;
    await this.store.webhookDeliveries.upsert(
      ok
        ? { ...rest, status: "delivered", attempts }
        : giveUp
          ? { ...rest, status: "failed", attempts }
          : { ...rest, attempts, nextAttemptAt: new Date(this.now() + next).toISOString() },
    );
    this.count(ok ? "delivered" : giveUp ? "failed" : "retrying", delivery.eventType);
    return ok;
  }

  private count(outcome: WebhookOutcome, eventType: string): void {
    instruments().webhookDeliveries.add(1, { "webhook.outcome": outcome, "event.type": eventType });
  }

  /** A success clears the failing streak; days of nothing but failures switch the endpoint off, with an alert. */
  private async trackHealth(
    endpoint: WebhookEndpointDoc,
    succeeded: boolean,
    failed: boolean,
  ): Promise<void> {
    const now = this.now();
    if (succeeded && endpoint.failingSince) {
      await this.store.webhookEndpoints.update(
        endpoint.tenantId,
        endpoint.id,
        ({ failingSince: _ok, ...c }) => c as WebhookEndpointDoc,
      );
      return;
    }
    if (succeeded || !failed) return;
    if (!endpoint.failingSince) {
      await this.store.webhookEndpoints.update(endpoint.tenantId, endpoint.id, (c) => ({
        ...c,
        failingSince: new Date(now).toISOString(),
      }));
      return;
    }
    if (now - Date.parse(endpoint.failingSince) < (this.options.disableAfterMs ?? 5 * DAY)) return;
    const reason = `Every delivery since ${endpoint.failingSince} failed`;
    await this.store.webhookEndpoints.update(endpoint.tenantId, endpoint.id, (c) => ({
      ...c,
      status: "disabled",
      disabled: { at: new Date(now).toISOString(), reason },
    }));
    await this.events?.emit({
      tenantId: endpoint.tenantId,
      kind: "webhook-disabled",
      webhookEndpointId: endpoint.id,
      summary: `Webhook endpoint ${endpoint.url} was switched off: ${reason.toLowerCase()}.`,
      problem: {
        code: "webhook-disabled",
        message: `${reason}, so the endpoint ${endpoint.url} was switched off; its events are kept.`,
        remedy:
          "Fix the receiver, then switch the endpoint on again in API and webhooks and redeliver what it missed.",
      },
    });
  }

  /** Sends one event again, or every event after `after`, whatever happened to them before. */
  async redeliver(
    endpoint: WebhookEndpointDoc,
    request: { eventId: string } | { after: number },
  ): Promise<number> {
    if ("eventId" in request) {
      const event = (await this.feed.eventsById(endpoint.tenantId, [request.eventId])).get(request.eventId);
      if (!event) return 0;
      await this.store.webhookDeliveries.upsert(this.pending(endpoint, event));
      return 1;
    }
    let count = 0;
    let after = request.after;
    for (;;) {
      const page = await this.feed.read(endpoint.tenantId, {
        after,
        limit: BATCH,
        ...(endpoint.eventTypes.length > 0 ? { types: endpoint.eventTypes } : {}),
      });
      if (page.events.length > 0)
        await this.store.webhookDeliveries.bulkUpsert(page.events.map((e) => this.pending(endpoint, e)));
      count += page.events.length;
      if (!page.hasMore || page.next === after) return count;
      after = page.next;
    }
  }

  /** Sends a signed `webhook.test` ping now and answers how it went; nothing is recorded as a delivery. */
  async testSend(endpoint: WebhookEndpointDoc) {
    const id = `msg_test_${this.now()}`;
    const body = JSON.stringify({
      object: "event",
      id,
      type: "webhook.test",
      timestamp: new Date(this.now()).toISOString(),
      data: { endpointId: endpoint.id },
    });
    const secrets = await this.endpoints.signingSecrets(endpoint);
    return deliver(endpoint.url, signedHeaders(secrets, id, new Date(this.now()), body), body, {
      allowPrivate: this.options.allowPrivate,
      now: this.now,
    });
  }
}
