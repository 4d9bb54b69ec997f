import type { Problem } from "../domain/problem.ts";
import type { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import type { Logger } from "../logger.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { deltaResources } from "../sync/delta-state.ts";
import { Leases } from "../sync/lease.ts";
import { newClientState } from "./client-state.ts";
import {
  type LiveResource,
  type LiveSubscription,
  type LiveSyncDoc,
  liveRepository,
  liveStateId,
} from "./live-state.ts";

/** Where Graph should post, or why it cannot (no public HTTPS address). */
export type NotificationEndpoint = { notificationUrl: string; lifecycleUrl: string } | { problem: Problem };

export interface LiveSubscriptionsOptions {
  store: Store;
  graphFor: (connection: ConnectionDoc) => Promise<GraphApi>;
  /**
   * Drops the connection's cached access token: a token keeps the permissions it was issued with, so after
   * Graph refused for a missing permission the next check must ask for a new one to see a fresh consent.
   */
  forgetToken?: (connection: ConnectionDoc) => void;
  /** Read at each check: the listening address is known only once the server is up. */
  endpoint: () => NotificationEndpoint;
  logger: Logger;
  owner: string;
  now?: () => number;
  /** Lifetime asked for; Graph allows up to 41,760 minutes for users and groups. */
  lifetimeMinutes?: number;
  /** A subscription with less than this left is renewed. */
  renewWithinMs?: number;
}

const DAY_MS = 86_400_000;
/** A little under Graph's 41,760-minute maximum, so clock differences never make Graph refuse it. */
const DEFAULT_LIFETIME_MINUTES = 41_700;
const PERMISSION: Record<LiveResource, string> = { users: "User.Read.All", groups: "Group.Read.All" };
const iso = (ms: number) => new Date(ms).toISOString();

interface GraphSubscription {
  id: string;
  expirationDateTime: string;
}

/**
 * The Graph subscriptions behind a connection's live updates: created when the connection has synced,
 * renewed well before they expire, created again when Graph removed them, deleted when the connection is
 * switched off or deleted. Whatever fails leaves the connection on its schedule with the reason stored.
 */
export class LiveSubscriptions {
  private readonly now: () => number;
  private readonly leases: Leases;

  constructor(private readonly options: LiveSubscriptionsOptions) {
    this.now = options.now ?? Date.now;
    this.leases = new Leases(options.store.leases, options.owner, this.now);
  }

  get(tenantId: string, connectionId: string): Promise<LiveSyncDoc | undefined> {
    return liveRepository(this.options.store).get(tenantId, liveStateId(connectionId));
  }

  /**
   * Brings the connection's subscriptions to what it needs now (one subscription per delta resource it
   * reads), renewing those close to expiry. One instance at a time per connection (a short lease), so two
   * instances never subscribe twice.
   */
  async ensure(
    connection: ConnectionDoc,
    options: { recreate?: string; afterSync?: boolean } = {},
  ): Promise<LiveSyncDoc | undefined> {
    if (connection.kind === "scim") return undefined;
    if (connection.status === "inactive") {
      await this.removeAll(connection);
      return undefined;
    }
    return this.underLease(connection, async () => {
      // Read again under the lease: the connection may have been switched off or deleted meanwhile.
      const current = await this.options.store.connections.get(connection.tenantId, connection.id);
      if (!current || current.status === "inactive") return undefined;
      connection = current;
      const existing = await this.get(connection.tenantId, connection.id);
      // Unsubscribed on deactivation: only a sync of the reactivated connection subscribes again.
      if (existing?.state === "off" && !options.afterSync) return existing;
      if (connection.status === "needs-reauth")
        return this.save(connection, existing?.subscriptions ?? [], {
          code: "needs-reauth",
          message:
            "The connection needs to be reauthorized, so Microsoft Graph cannot be asked for change notifications.",
          remedy: "Reauthorize the connection; live updates resume at its next sync.",
        });
      const endpoint = this.options.endpoint();
      if ("problem" in endpoint) {
        // Subscriptions posting to an address Graph can no longer use are of no help: delete them.
        if (existing?.subscriptions.length) {
          const graph = await this.options.graphFor(connection).catch(() => undefined);
          for (const sub of existing.subscriptions)
            await graph?.delete(`/subscriptions/${sub.id}`).catch(() => undefined);
        }
        return this.save(connection, [], endpoint.problem);
      }

      let graph: GraphApi;
      try {
        graph = await this.options.graphFor(connection);
      } catch (err) {
        return this.save(connection, existing?.subscriptions ?? [], this.problemOf(err, "users"));
      }
      const wanted = deltaResources(connection.settings);
      const kept: LiveSubscription[] = [];
      let problem: Problem | undefined;
      for (const sub of existing?.subscriptions ?? []) {
        if (!wanted.includes(sub.resource) || sub.id === options.recreate) {
          if (sub.id !== options.recreate) await this.deleteAtGraph(graph, sub.id);
          continue;
        }
        try {
          const renewed = await this.renewIfDue(graph, sub);
          if (renewed) kept.push(renewed);
        } catch (err) {
          problem ??= this.problemOf(err, sub.resource);
          kept.push(sub);
        }
      }
      for (const resource of wanted) {
        if (kept.some((s) => s.resource === resource)) continue;
        try {
          kept.push(await this.create(graph, resource, endpoint));
        } catch (err) {
          problem ??= this.problemOf(err, resource);
        }
      }
      if (problem?.code === "permission-missing") this.options.forgetToken?.(connection);
      return this.save(connection, kept, problem);
    });
  }

  /** Answers Graph's reauthorizationRequired: reauthorize, else renew, else subscribe again. */
  async reauthorize(connection: ConnectionDoc, subscriptionId: string): Promise<void> {
    const graph = await this.options.graphFor(connection);
    try {
      await graph.post(`/subscriptions/${subscriptionId}/reauthorize`, {});
    } catch (err) {
      if (!isDirectoryProblem(err, "not-found")) throw err;
      await this.ensure(connection, { recreate: subscriptionId });
    }
  }

  /**
   * Deletes the connection's subscriptions at Graph (best effort: they lapse at their expiry anyway) and
   * marks its live state off. Waits for a check in progress, so a renewal cannot subscribe again after it.
   */
  async removeAll(connection: ConnectionDoc): Promise<void> {
    await this.underLease(
      connection,
      async () => {
        const doc = await this.get(connection.tenantId, connection.id);
        if (!doc) return;
        if (doc.subscriptions.length > 0) {
          try {
            const graph = await this.options.graphFor(connection);
            for (const sub of doc.subscriptions) await this.deleteAtGraph(graph, sub.id);
          } catch (err) {
            this.options.logger.warn(
              { err, tenantId: connection.tenantId, connectionId: connection.id },
              "subscriptions could not be deleted at Microsoft Graph; they lapse at their expiry",
            );
          }
        }
        await this.save(connection, [], undefined, "off");
      },
      { wait: true },
    );
  }

  /** Every connection with live state, across tenants: renew, re-create, or remove what is no longer wanted. */
  async maintain(): Promise<void> {
    for await (const page of liveRepository(this.options.store).streamAllTenants({
      where: "c.type = 'liveSync'",
    })) {
      for (const doc of page) {
        const connection = await this.options.store.connections.get(doc.tenantId, doc.connectionId);
        try {
          if (!connection) await liveRepository(this.options.store).delete(doc.tenantId, doc.id);
          else if (doc.state !== "off" || connection.status === "inactive") await this.ensure(connection);
        } catch (err) {
          this.options.logger.warn(
            { err, tenantId: doc.tenantId, connectionId: doc.connectionId },
            "live updates could not be maintained",
          );
        }
      }
    }
  }

  private async create(
    graph: GraphApi,
    resource: LiveResource,
    endpoint: { notificationUrl: string; lifecycleUrl: string },
  ): Promise<LiveSubscription> {
    const clientState = newClientState();
    const lifetime = (this.options.lifetimeMinutes ?? DEFAULT_LIFETIME_MINUTES) * 60_000;
    const created = await graph.post<GraphSubscription>("/subscriptions", {
      changeType: "updated,deleted",
      notificationUrl: endpoint.notificationUrl,
      lifecycleNotificationUrl: endpoint.lifecycleUrl,
      resource,
      expirationDateTime: iso(this.now() + lifetime),
      clientState: clientState.value,
      latestSupportedTlsVersion: "v1_2",
    });
    return {
      resource,
      id: created.id,
      expiresAt: iso(Date.parse(created.expirationDateTime)),
      clientStateHash: clientState.hash,
      createdAt: iso(this.now()),
    };
  }

  /** The renewed subscription, the same one when not due, or undefined when Graph no longer has it. */
  private async renewIfDue(graph: GraphApi, sub: LiveSubscription): Promise<LiveSubscription | undefined> {
    const renewWithin = this.options.renewWithinMs ?? 10 * DAY_MS;
    if (Date.parse(sub.expiresAt) - this.now() > renewWithin) return sub;
    const lifetime = (this.options.lifetimeMinutes ?? DEFAULT_LIFETIME_MINUTES) * 60_000;
    try {
      const renewed = await graph.patch<GraphSubscription>(`/subscriptions/${sub.id}`, {
        expirationDateTime: iso(this.now() + lifetime),
      });
      return { ...sub, expiresAt: iso(Date.parse(renewed.expirationDateTime)), renewedAt: iso(this.now()) };
    } catch (err) {
      if (isDirectoryProblem(err, "not-found")) return undefined;
      throw err;
    }
  }

  private async deleteAtGraph(graph: GraphApi, id: string): Promise<void> {
    try {
      await graph.delete(`/subscriptions/${id}`);
    } catch (err) {
      if (!isDirectoryProblem(err, "not-found")) throw err;
    }
  }

  private async save(
    connection: ConnectionDoc,
    subscriptions: LiveSubscription[],
    problem: Problem | undefined,
    off?: "off",
  ): Promise<LiveSyncDoc> {
    const repo = liveRepository(this.options.store);
    const id = liveStateId(connection.id);
    const at = iso(this.now());
    for (let attempt = 1; ; attempt++) {
      const current = await repo.get(connection.tenantId, id);
      const since = current?.problem?.code === problem?.code ? current?.problem?.since : undefined;
      // Nothing changed (the usual case after a run): no write.
      if (
        current &&
        current.state === (off ?? current.state) &&
        (off || current.state !== "off") &&
        JSON.stringify(current.subscriptions) === JSON.stringify(subscriptions) &&
        current.problem?.code === problem?.code &&
        current.problem?.message === problem?.message
      )
        return current;
      const doc: LiveSyncDoc = {
        id,
        tenantId: connection.tenantId,
        type: "liveSync",
        connectionId: connection.id,
        state: off ?? (problem ? "schedule-only" : "live"),
        ...(problem ? { problem: { ...problem, since: since ?? at } } : {}),
        subscriptions,
        subscriptionIds: subscriptions.map((s) => s.id),
        ...(current?.lastNotificationAt ? { lastNotificationAt: current.lastNotificationAt } : {}),
        ...(current?.lastLifecycle ? { lastLifecycle: current.lastLifecycle } : {}),
        updatedAt: at,
      };
      try {
        return current ? await repo.replace(doc, { ifMatch: current._etag }) : await repo.create(doc);
      } catch (err) {
        if (attempt >= 5) throw err;
      }
    }
  }

  private async underLease<T>(
    connection: ConnectionDoc,
    work: () => Promise<T>,
    options: { wait?: boolean } = {},
  ): Promise<T | undefined> {
    const leaseId = `live.${connection.id}`;
    let claim = await this.leases.acquire(connection.tenantId, leaseId, 60_000);
    for (let attempt = 0; !claim.acquired && options.wait && attempt < 50; attempt++) {
      await new Promise((r) => setTimeout(r, 200));
      claim = await this.leases.acquire(connection.tenantId, leaseId, 60_000);
    }
    if (!claim.acquired) return undefined;
    try {
      return await work();
    } finally {
      await this.leases.release(claim.lease).catch(() => undefined);
    }
  }

  /** Graph's refusal in words an admin can act on; 403 names the permission the resource needs. */
  private problemOf(err: unknown, resource: LiveResource): Problem {
    if (!isDirectoryProblem(err)) {
      this.options.logger.warn({ err, resource }, "subscribing to change notifications failed");
      return {
        code: "subscription-failed",
        message: `Microsoft Graph could not be asked for change notifications on ${resource}.`,
        remedy:
          "Nothing to do now: the schedule keeps the directory current and live updates are tried again.",
      };
    }
    if (err.kind === "permission-missing")
      return {
        code: "permission-missing",
        message: `Change notifications on ${resource} need the ${PERMISSION[resource]} permission, which the app does not have.`,
        remedy: `Grant ${PERMISSION[resource]} to the app and grant admin consent; live updates start at the next check.`,
      };
    if (err.kind === "invalid-request")
      return {
        code: "subscription-refused",
        message: `Microsoft Graph refused change notifications on ${resource}: ${err.message}`,
        remedy:
          "Check that PUBLIC_URL is this service's public HTTPS address and that Microsoft Graph can reach it (see the README); the schedule keeps running meanwhile.",
      };
    return { code: err.kind, message: err.message, remedy: err.remedy };
  }
}
