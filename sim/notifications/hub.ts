import { randomBytes, randomUUID } from "node:crypto";
import type { Change } from "../directory/state.ts";
import { SimError } from "../errors.ts";

/** Longest lifetime Graph allows for subscriptions on users and groups (29 days). */
const MAX_DIRECTORY_SUBSCRIPTION_MINUTES = 41_760;
/** Graph gives a notification endpoint 10 seconds to echo the validation token. */
const VALIDATION_TIMEOUT_MS = 10_000;
/** Graph expects a 2xx for a notification POST within a few seconds, or it retries. */
const DELIVERY_TIMEOUT_MS = 5_000;
const DELIVERY_RETRIES = 3;
/** Notifications queued for one URL are sent together, up to this many per POST. */
const MAX_BATCH = 100;

export type SubscribedResource = "users" | "groups";
export type LifecycleEvent = "reauthorizationRequired" | "subscriptionRemoved" | "missed";

export interface SimSubscription {
  id: string;
  tenantId: string;
  applicationId: string;
  creatorId: string;
  resource: string;
  kind: SubscribedResource;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expirationDateTime: number;
  latestSupportedTlsVersion: string;
  notificationUrlAppId?: string;
  /** Set by a reauthorizationRequired event; notifications wait (are dropped) until the app reauthorizes. */
  needsReauthorization: boolean;
}

/**
 * How notifications leave the simulator: delivered after the batching window, held back for `delayMs`
 * more, or dropped, so that a product's safety net (scheduled delta runs) can be tested.
 */
export interface DeliveryMode {
  mode: "deliver" | "delay" | "drop";
  delayMs?: number;
}

export interface NotificationStats {
  validationsSent: number;
  notificationsQueued: number;
  notificationsDelivered: number;
  notificationsDropped: number;
  deliveryPosts: number;
  deliveryFailures: number;
  lifecycleSent: Record<string, number>;
}

interface Pending {
  url: string;
  items: Record<string, unknown>[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "0000Z");

/** Graph's subscription object as GET/POST/PATCH answer it (never the clientState of someone else). */
export function subscriptionView(s: SimSubscription, root: string): Record<string, unknown> {
  return {
    "@odata.context": `${root}/$metadata#subscriptions/$entity`,
    id: s.id,
    resource: s.resource,
    applicationId: s.applicationId,
    changeType: s.changeType,
    clientState: s.clientState ?? null,
    notificationUrl: s.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
    expirationDateTime: iso(s.expirationDateTime),
    creatorId: s.creatorId,
    includeResourceData: null,
    latestSupportedTlsVersion: s.latestSupportedTlsVersion,
    notificationContentType: "application/json",
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: s.notificationUrlAppId ?? null,
  };
}

/**
 * Graph's change-notification service for users and groups: keeps subscriptions, runs the validation
 * handshake against the subscriber's URL, turns directory changes into notifications (batched per URL,
 * in Graph's payload shape) and sends lifecycle notifications on demand.
 */
export class SubscriptionHub {
  readonly subscriptions = new Map<string, SimSubscription>();
  readonly stats: NotificationStats = emptyStats();
  private delivery: DeliveryMode = { mode: "deliver" };
  private readonly pending = new Map<string, Pending>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly clock: () => number,
    /** Time Graph takes to gather notifications before posting them. */
    private readonly batchWindowMs = 50,
  ) {}

  // ---- subscriptions ---------------------------------------------------------------------------------

  live(id: string): SimSubscription | undefined {
    const s = this.subscriptions.get(id);
    if (s && s.expirationDateTime <= this.clock()) {
      // Graph removes an expired subscription; it is gone for every later call.
      this.subscriptions.delete(id);
      return undefined;
    }
    return s;
  }

  listFor(tenantId: string, applicationId?: string): SimSubscription[] {
    return [...this.subscriptions.keys()]
      .map((id) => this.live(id))
      .filter((s): s is SimSubscription => Boolean(s))
      .filter((s) => s.tenantId === tenantId && (!applicationId || s.applicationId === applicationId));
  }

  checkExpiration(value: unknown): number {
    const at = typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at))
      throw new SimError(
        400,
        "InvalidRequest",
        "expirationDateTime is required and must be a date and time.",
      );
    const now = this.clock();
    if (at <= now)
      throw new SimError(400, "InvalidRequest", "Subscription expiration can only be in the future.");
    if (at > now + MAX_DIRECTORY_SUBSCRIPTION_MINUTES * 60_000)
      throw new SimError(
        400,
        "InvalidRequest",
        `Subscription expiration can only be ${MAX_DIRECTORY_SUBSCRIPTION_MINUTES} minutes in the future.`,
      );
    return at;
  }

  async create(input: Omit<SimSubscription, "id" | "needsReauthorization">): Promise<SimSubscription> {
    await this.validateEndpoint(input.notificationUrl);
    if (input.lifecycleNotificationUrl) await this.validateEndpoint(input.lifecycleNotificationUrl);
    const sub: SimSubscription = { ...input, id: randomUUID(), needsReauthorization: false };
    this.subscriptions.set(sub.id, sub);
    return sub;
  }

  remove(id: string): boolean {
    return this.subscriptions.delete(id);
  }

  /**
   * Graph's handshake: POST {url}?validationToken=… and expect 200, text/plain, the token back, within
   * 10 seconds. Anything else fails the create with 400.
   */
  async validateEndpoint(url: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()} ${randomBytes(6).toString("hex")}`;
    const target = new URL(url);
    target.searchParams.set("validationToken", token);
    this.stats.validationsSent++;
    const failed = (why: string) =>
      new SimError(
        400,
        "ValidationError",
        `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request. (${why})`,
      );
    let response: Response;
    try {
      response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8" },
        signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS),
      });
    } catch (err) {
      throw failed(`the endpoint could not be reached: ${(err as Error).message}`);
    }
    const body = await response.text();
    if (response.status !== 200) throw failed(`it answered ${response.status}`);
    if (!(response.headers.get("content-type") ?? "").startsWith("text/plain"))
      throw failed("the answer was not text/plain");
    if (body !== token) throw failed("the answer did not echo the validation token");
  }

  // ---- notifications ---------------------------------------------------------------------------------

  setDelivery(mode: DeliveryMode): DeliveryMode {
    if (!["deliver", "delay", "drop"].includes(mode.mode))
      throw new SimError(400, "BadRequest", "mode must be deliver, delay or drop.");
    this.delivery = { mode: mode.mode, ...(mode.delayMs !== undefined ? { delayMs: mode.delayMs } : {}) };
    return this.delivery;
  }

  /** One directory change: a notification for every live subscription on its resource and change type. */
  onChange(tenantId: string, change: Change): void {
    const kind: SubscribedResource = change.kind === "user" ? "users" : "groups";
    // Creation, updates, soft deletion and membership changes are "updated"; permanent deletion "deleted".
    const changeType = change.op === "hardDelete" ? "deleted" : "updated";
    for (const sub of this.listFor(tenantId)) {
      if (sub.kind !== kind || !sub.changeType.split(",").includes(changeType)) continue;
      if (sub.needsReauthorization) {
        this.stats.notificationsDropped++;
        continue;
      }
      this.enqueue(sub.notificationUrl, notificationOf(sub, change, changeType));
    }
  }

  /** Sends a lifecycle notification now; subscriptionRemoved also removes the subscription, as Graph does. */
  lifecycle(id: string, event: LifecycleEvent): Record<string, unknown> {
    const sub = this.live(id);
    if (!sub) throw new SimError(404, "ResourceNotFound", `Subscription '${id}' does not exist.`);
    if (!["reauthorizationRequired", "subscriptionRemoved", "missed"].includes(event))
      throw new SimError(400, "BadRequest", `Unknown lifecycle event '${event}'.`);
    const url = sub.lifecycleNotificationUrl;
    if (!url)
      throw new SimError(
        400,
        "BadRequest",
        `Subscription '${id}' has no lifecycleNotificationUrl; Graph sends lifecycle events only there.`,
      );
    if (event === "reauthorizationRequired") sub.needsReauthorization = true;
    if (event === "subscriptionRemoved") this.subscriptions.delete(id);
    const item = {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: iso(sub.expirationDateTime),
      tenantId: sub.tenantId,
      clientState: sub.clientState ?? null,
      lifecycleEvent: event,
    };
    this.stats.lifecycleSent[event] = (this.stats.lifecycleSent[event] ?? 0) + 1;
    this.track(this.post(url, [item]));
    return item;
  }

  /** Lets the next notifications through again after the app reauthorized. */
  reauthorize(id: string): void {
    const sub = this.live(id);
    if (!sub) throw new SimError(404, "ResourceNotFound", `Subscription '${id}' does not exist.`);
    sub.needsReauthorization = false;
  }

  /** Waits until everything queued has been posted (tests and benchmarks). */
  async settle(): Promise<void> {
    while (this.pending.size > 0 || this.inFlight.size > 0) {
      if (this.pending.size > 0 && !this.flushTimer) this.flush();
      await Promise.race([...this.inFlight, new Promise((r) => setTimeout(r, this.batchWindowMs))]);
    }
  }

  close(): void {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.pending.clear();
  }

  private enqueue(url: string, item: Record<string, unknown>): void {
    this.stats.notificationsQueued++;
    if (this.delivery.mode === "drop") {
      this.stats.notificationsDropped++;
      return;
    }
    const entry = this.pending.get(url) ?? { url, items: [] };
    entry.items.push(item);
    this.pending.set(url, entry);
    this.flushTimer ??= setTimeout(() => this.flush(), this.batchWindowMs);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batches = [...this.pending.values()];
    this.pending.clear();
    const delay = this.delivery.mode === "delay" ? (this.delivery.delayMs ?? 5000) : 0;
    for (const { url, items } of batches) {
      for (let i = 0; i < items.length; i += MAX_BATCH) {
        const chunk = items.slice(i, i + MAX_BATCH);
        this.track(
          (async () => {
            if (delay > 0) await new Promise((r) => setTimeout(r, delay));
            await this.post(url, chunk, true);
          })(),
        );
      }
    }
  }

  private track(p: Promise<void>): void {
    const tracked = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Graph retries a notification the endpoint did not acknowledge with 2xx, with growing pauses. */
  private async post(url: string, items: Record<string, unknown>[], counted = false): Promise<void> {
    for (let attempt = 0; attempt <= DELIVERY_RETRIES && !this.closed; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      this.stats.deliveryPosts++;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8" },
          body: JSON.stringify({ value: items }),
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        if (response.status >= 200 && response.status < 300) {
          if (counted) this.stats.notificationsDelivered += items.length;
          return;
        }
      } catch {
        // Unreachable or too slow: retried like any other failure.
      }
      this.stats.deliveryFailures++;
    }
    if (counted) this.stats.notificationsDropped += items.length;
  }
}

function notificationOf(
  sub: SimSubscription,
  change: Change,
  changeType: "updated" | "deleted",
): Record<string, unknown> {
  const entity = change.kind === "user" ? "Users" : "Groups";
  const resourceData: Record<string, unknown> = {
    "@odata.type": change.kind === "user" ? "#Microsoft.Graph.User" : "#Microsoft.Graph.Group",
    "@odata.id": `${entity}/${change.id}`,
    id: change.id,
    organizationId: sub.tenantId,
  };
  if (change.op === "memberAdd" || change.op === "memberRemove")
    resourceData["members@delta"] = [
      { id: change.memberId, ...(change.op === "memberRemove" ? { "@removed": "deleted" } : {}) },
    ];
  return {
    changeType,
    clientState: sub.clientState ?? null,
    resource: `${entity}/${change.id}`,
    resourceData,
    subscriptionExpirationDateTime: iso(sub.expirationDateTime),
    subscriptionId: sub.id,
    tenantId: sub.tenantId,
  };
}

function emptyStats(): NotificationStats {
  return {
    validationsSent: 0,
    notificationsQueued: 0,
    notificationsDelivered: 0,
    notificationsDropped: 0,
    deliveryPosts: 0,
    deliveryFailures: 0,
    lifecycleSent: {},
  };
}
