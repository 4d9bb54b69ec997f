import { randomUUID } from "node:crypto";
import { diff, writeAudit } from "../audit/trail.ts";
import type { ConnectionCredentials } from "../auth/credentials.ts";
import { secretContext } from "../auth/credentials.ts";
import { type SecretBox, secretHint } from "../auth/secrets.ts";
import { CredentialProblem } from "../auth/token-errors.ts";
import {
  type CreateConnectionInput,
  defaultSchedule,
  type PatchConnectionInput,
} from "../contract/connections.ts";
import type { Actor } from "../domain/actor.ts";
import type { Problem } from "../domain/problem.ts";
import { defaultSyncSettings, syncSettingsSchema } from "../domain/sync-settings.ts";
import type { ChangeFeed } from "../feed/change-feed.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import { syncSlot } from "../scheduler/slots.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import { isStoreError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";
import { Leases } from "../sync/lease.ts";
import { leaseId } from "../sync/service.ts";
import { removeConnectionData } from "./data.ts";
import { rejectedUserFilter } from "./filter-check.ts";
import type { ConnectionHealth } from "./health.ts";
import { nextRuns } from "./next-run.ts";
import { checkPermissions, type PermissionCheck, requiredPermissions } from "./permissions.ts";
import { secretExpiryCheck } from "./secret-expiry.ts";

/** A refusal the HTTP layer turns into 400 / 404 / 409 / 412 / 428 with the same code, message and remedy. */
export class ConnectionRefused extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 412 | 428,
    readonly problem: Problem & Record<string, unknown>,
  ) {
    super(problem.message);
  }
}

export interface TestResult {
  ok: boolean;
  checks: PermissionCheck[];
  problem?: Problem & { kind: string };
}

const ENABLED = (c: ConnectionDoc) => c.status !== "inactive";

/** Held while deciding which connection may be enabled, so two decisions never both see "none enabled". */
const ACTIVATION_LEASE = "connections.activation";
const ACTIVATION_LEASE_MS = 30_000;
const ACTIVATION_ATTEMPTS = 200;
/** Held on a connection's sync lease while it is deleted, so no sync of it can start meanwhile. */
const DELETION_LEASE_MS = 30 * 60_000;
const DELETION_MARK = "deletion-";

const changedElsewhere = () =>
  new ConnectionRefused(412, {
    code: "changed-elsewhere",
    message: "The connection was changed by someone else since you loaded it",
    remedy: "Reload the connection and make your change again.",
  });

/** What the API returns for a connection: everything but the sealed secret and flow internals. */
export function publicView(c: ConnectionDoc) {
  const {
    secret: _s,
    scimTokens,
    pendingConsent,
    _etag,
    ...rest
  } = c as ConnectionDoc & Record<string, unknown>;
  for (const k of Object.keys(rest)) if (k.startsWith("_")) delete rest[k];
  // Settings stored before a field existed come back with its default, as the sync reads them.
  const settings = syncSettingsSchema.safeParse(c.settings);
  return {
    ...rest,
    ...(settings.success ? { settings: settings.data } : {}),
    etag: _etag,
    hasSecret: Boolean(c.secret) || Boolean(scimTokens?.length),
    ...(pendingConsent
      ? { consentPending: { step: pendingConsent.step, startedAt: pendingConsent.startedAt } }
      : {}),
  };
}

/**
 * Connection lifecycle: create, change, (de)activate, delete, test. Plain TypeScript over the store; the
 * HTTP layer only validates input and maps refusals. Every change is audited with secrets redacted.
 */
export class ConnectionsService {
  private readonly leases: Leases;
  private readonly stoppingListeners: ((connection: ConnectionDoc) => Promise<void>)[] = [];
  /** The change feed that announces removed data to the tenant's applications (absent: events off). */
  private feed: ChangeFeed | undefined;

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly credentials: ConnectionCredentials,
    private readonly health: ConnectionHealth,
    private readonly now: () => number = Date.now,
  ) {
    this.leases = new Leases(store.leases, `connections-${randomUUID()}`, now);
  }

  /** Deleting a connection's data from now on writes `*.purged` and `membership.removed` events to `feed`. */
  setFeed(feed: ChangeFeed): void {
    this.feed = feed;
  }

  /**
   * Runs `decide` (read the other connections, then write one) while no other instance or request decides
   * for the same tenant. Waits its turn for a short while; decisions take milliseconds.
   */
  private async oneDecisionAtATime<T>(tenantId: string, decide: () => Promise<T>): Promise<T> {
    const turn = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const claim = await this.leases.acquire(tenantId, ACTIVATION_LEASE, ACTIVATION_LEASE_MS, turn);
      if (claim.acquired)
        try {
          return await decide();
        } finally {
          await this.leases.release(claim.lease).catch(() => undefined);
        }
      if (attempt >= ACTIVATION_ATTEMPTS)
        throw new ConnectionRefused(409, {
          code: "busy",
          message: "Another change to this organization's connections is in progress",
          remedy: "Try again in a few seconds.",
        });
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }

  /** When each connection's next scheduled sync is due (connections without one are left out). */
  nextRuns(connections: ConnectionDoc[]): Promise<Map<string, string>> {
    return nextRuns(this.store, connections);
  }

  /**
   * Called when a connection is switched off or about to be deleted, while its credential still works (so
   * Graph subscriptions can be deleted). A failing listener never blocks the admin's action.
   */
  onStopping(listener: (connection: ConnectionDoc) => Promise<void>): void {
    this.stoppingListeners.push(listener);
  }

  private async stopping(connection: ConnectionDoc): Promise<void> {
    for (const listener of this.stoppingListeners) await listener(connection).catch(() => undefined);
  }

  list(tenantId: string): Promise<ConnectionDoc[]> {
    return this.store.connections.all(tenantId, {
      where: "c.type = 'connection'",
      orderBy: "c.createdAt ASC",
    });
  }

  async get(tenantId: string, id: string): Promise<ConnectionDoc> {
    const c = await this.store.connections.get(tenantId, id);
    if (c?.type !== "connection") throw notFound(id);
    return c;
  }

  async create(tenantId: string, input: CreateConnectionInput, actor: Actor): Promise<ConnectionDoc> {
    const id = randomUUID();
    const sealed =
      input.kind === "graph-app"
        ? await this.secrets.seal(input.clientSecret, secretContext(tenantId, id))
        : undefined;
    const created = await this.oneDecisionAtATime(tenantId, () =>
      this.insert(tenantId, id, input, actor, sealed),
    );
    await this.audit(tenantId, actor, "connection.create", created, undefined, created);
    await syncSlot(this.store, created, created, this.now());
    return created;
  }

  private async insert(
    tenantId: string,
    id: string,
    input: CreateConnectionInput,
    actor: Actor,
    sealed: ConnectionDoc["secret"],
  ): Promise<ConnectionDoc> {
    const at = new Date(this.now()).toISOString();
    const others = (await this.list(tenantId)).filter(ENABLED);
    const allowConcurrent = input.allowConcurrent ?? false;
    // Only one enabled connection at a time unless allowed: a second one starts switched off.
    const blocked = others.length > 0 && !(allowConcurrent && others.every((o) => o.allowConcurrent));
    const doc: ConnectionDoc = {
      id,
      tenantId,
      type: "connection",
      name: input.name,
      kind: input.kind,
      // A push connection needs no consent: its token is issued with it.
      status: blocked ? "inactive" : input.kind === "graph-delegated" ? "needs-reauth" : "active",
      settings: input.settings ?? defaultSyncSettings(),
      schedule: { ...defaultSchedule(), ...input.schedule },
      allowConcurrent,
      createdAt: at,
      createdBy: actor,
      updatedAt: at,
      updatedBy: actor,
    };
    if (input.kind === "graph-app") {
      doc.clientId = input.clientId;
      if (sealed) doc.secret = sealed;
      doc.secretHint = secretHint(input.clientSecret);
    } else if (input.kind === "graph-delegated") {
      doc.statusProblem = {
        code: "authorization-pending",
        message: "Waiting for an admin to sign in and grant consent.",
        remedy: "Choose Grant admin consent on the connection.",
        since: at,
      };
    }
    return this.store.connections.create(doc);
  }

  async update(
    tenantId: string,
    id: string,
    input: PatchConnectionInput,
    actor: Actor,
    ifMatch?: string,
  ): Promise<ConnectionDoc> {
    const current = await this.get(tenantId, id);
    if (ifMatch && ifMatch !== current._etag) throw changedElsewhere();
    if ((input.clientId || input.clientSecret) && current.kind !== "graph-app")
      throw new ConnectionRefused(409, {
        code: "not-applicable",
        message: "Only graph-app connections have a client id and secret",
        remedy: "Reauthorize a delegated connection with Grant admin consent instead.",
      });
    await this.checkUserFilter(current, input);
    const sealed = input.clientSecret
      ? await this.secrets.seal(input.clientSecret, secretContext(tenantId, id))
      : undefined;
    const next = structuredClone(current);
    if (input.name !== undefined) next.name = input.name;
    if (input.settings !== undefined) next.settings = input.settings;
    if (input.schedule !== undefined) next.schedule = { ...current.schedule, ...input.schedule };
    if (input.allowConcurrent !== undefined) next.allowConcurrent = input.allowConcurrent;
    if (input.clientId !== undefined) next.clientId = input.clientId;
    if (sealed && input.clientSecret) {
      next.secret = sealed;
      next.secretHint = secretHint(input.clientSecret);
      // The new secret's expiry is read by the next connection test.
      delete next.secretExpiresAt;
    }
    next.updatedAt = new Date(this.now()).toISOString();
    next.updatedBy = actor;
    // The store checks the version again as it writes: of two changes made from the same version, one is
    // saved and the other answers 412 like any stale version, never 409.
    let saved = await this.store.connections
      .replace(next, { ifMatch: ifMatch ?? current._etag })
      .catch((err) => {
        throw isStoreError(err, "precondition-failed") ? changedElsewhere() : err;
      });
    await this.audit(
      tenantId,
      actor,
      input.clientSecret ? "connection.rotate-secret" : "connection.update",
      saved,
      current,
      saved,
    );
    if (input.clientSecret || input.clientId) {
      // A new credential: forget cached tokens and, if it works, leave needs-reauth at once.
      this.credentials.forget(saved);
      try {
        await this.credentials.tokenFor(saved);
        saved = await this.health.credentialWorks(saved);
      } catch (err) {
        if (!isDirectoryProblem(err)) throw err;
      }
    }
    await syncSlot(this.store, saved, saved, this.now());
    return this.get(tenantId, id);
  }

  async setActive(tenantId: string, id: string, active: boolean, actor: Actor): Promise<ConnectionDoc> {
    return active
      ? this.oneDecisionAtATime(tenantId, () => this.switchOnOrOff(tenantId, id, true, actor))
      : this.switchOnOrOff(tenantId, id, false, actor);
  }

  private async switchOnOrOff(
    tenantId: string,
    id: string,
    active: boolean,
    actor: Actor,
  ): Promise<ConnectionDoc> {
    const current = await this.get(tenantId, id);
    if (active && current.status !== "inactive") return current;
    if (!active && current.status === "inactive") return current;
    if (active) {
      const clash = (await this.list(tenantId)).find(
        (o) => o.id !== id && ENABLED(o) && !(o.allowConcurrent && current.allowConcurrent),
      );
      if (clash)
        throw new ConnectionRefused(409, {
          code: "another-active",
          message: `Connection "${clash.name}" is active; two connections syncing the same directory would clash`,
          remedy: `Switch to this connection on Home (it turns "${clash.name}" off), or turn on "Allow this connection to sync while other connections are on" in the settings of both.`,
          connectionId: clash.id,
        });
    }
    const saved = await this.store.connections.update(tenantId, id, (c) => {
      // Reactivating a connection whose credential is known broken goes straight to needs-reauth.
      c.status = active ? (c.statusProblem ? "needs-reauth" : "active") : "inactive";
      c.updatedAt = new Date(this.now()).toISOString();
      c.updatedBy = actor;
      return c;
    });
    await this.audit(
      tenantId,
      actor,
      active ? "connection.reactivate" : "connection.deactivate",
      saved,
      current,
      saved,
    );
    await syncSlot(this.store, saved, saved, this.now());
    if (!active) await this.stopping(saved);
    return saved;
  }

  /** Without confirmation: what deleting would do. With it: deletes, keeping or removing synced data. */
  async remove(
    tenantId: string,
    id: string,
    options: { confirm: boolean; data?: "keep" | "remove" },
    actor: Actor,
  ) {
    const current = await this.store.connections.get(tenantId, id);
    if (current?.type !== "connection") return this.removeOrphanedData(tenantId, id, options, actor);
    const { profiles, lists } = await this.dataCounts(tenantId, id);
    if (!options.confirm || !options.data)
      throw new ConnectionRefused(409, {
        code: "confirmation-required",
        message: `Deleting "${current.name}" stops its syncs and deletes its stored credential. It has ${profiles} synced profiles and ${lists} synced lists.`,
        remedy: `Send confirm=true with data=keep (the ${profiles} profiles and ${lists} lists stay as they are and are no longer updated) or data=remove (they are deleted now).`,
        profiles,
        lists,
      });
    // The sync lease makes deleting and starting a sync mutually exclusive: while it is held here no sync of
    // this connection starts, and a sync that holds it makes the deletion wait (starting re-reads the
    // connection once it holds the lease, so a deleted connection never gets a task).
    const claim = await this.leases.acquire(
      tenantId,
      leaseId(id),
      DELETION_LEASE_MS,
      `${DELETION_MARK}${randomUUID()}`,
    );
    if (!claim.acquired) {
      const holder = claim.holder.taskId;
      if (holder?.startsWith(DELETION_MARK))
        throw new ConnectionRefused(409, {
          code: "deleting",
          message: `"${current.name}" is being deleted already`,
          remedy: "Reload the list of connections in a moment.",
        });
      throw new ConnectionRefused(409, {
        code: "task-running",
        message: `A sync of "${current.name}" is running${holder ? ` (task ${holder})` : ""}`,
        remedy: "Cancel the task or wait for it to finish, then delete.",
        ...(holder ? { taskId: holder } : {}),
      });
    }
    try {
      // Deleted meanwhile by someone who held the lease before: nothing left to do.
      if ((await this.store.connections.get(tenantId, id))?.type !== "connection") throw notFound(id);
      // A task whose worker stopped is still queued or running until another instance resumes it.
      const [active] = await this.store.tasks.all(tenantId, {
        where: "c.connectionId = @c AND (c.status = 'queued' OR c.status = 'running')",
        parameters: [{ name: "@c", value: id }],
      });
      if (active)
        throw new ConnectionRefused(409, {
          code: "task-running",
          message: `Task ${active.id} of this connection is ${active.status}`,
          remedy: "Cancel the task or wait for it to finish, then delete.",
          taskId: active.id,
        });
      await this.stopping(current);
      // Data first, the connection last: if this stops half-way, the connection is still there to delete again.
      const removed =
        options.data === "remove"
          ? await removeConnectionData(this.store, tenantId, id, this.feed)
          : undefined;
      await this.store.connections.delete(tenantId, id);
      this.credentials.forget(current);
      await syncSlot(this.store, undefined, current, this.now());
      await writeAudit(
        this.store,
        {
          tenantId,
          actor,
          action: "connection.delete",
          target: { kind: "connection", id, name: current.name },
          changes: {
            connection: { from: current.name, to: null },
            data: { from: { profiles, lists }, to: options.data === "remove" ? "removed" : "kept" },
          },
        },
        this.now,
      );
      return { deleted: true, data: options.data, profiles, lists, removed };
    } finally {
      await this.leases.release(claim.lease).catch(() => undefined);
    }
  }

  /**
   * Profiles and lists whose connection no longer exists: kept on purpose when it was deleted with
   * data=keep, or left by a deletion that stopped half-way. Listed so an admin can find and remove them.
   */
  async orphanedData(tenantId: string): Promise<{ connectionId: string; profiles: number; lists: number }[]> {
    const known = new Set((await this.list(tenantId)).map((c) => c.id));
    const found = new Map<string, { connectionId: string; profiles: number; lists: number }>();
    const tally = async (repo: Store["profiles"] | Store["lists"], kind: "profiles" | "lists") => {
      for await (const page of repo.stream(tenantId, { select: "c.connectionId" }, 1000))
        for (const { connectionId } of page) {
          if (!connectionId || known.has(connectionId)) continue;
          const entry = found.get(connectionId) ?? { connectionId, profiles: 0, lists: 0 };
          entry[kind]++;
          found.set(connectionId, entry);
        }
    };
    await tally(this.store.profiles, "profiles");
    await tally(this.store.lists, "lists");
    return [...found.values()];
  }

  /** Deleting the id of a connection that is gone removes what it left behind, after the same confirmation. */
  private async removeOrphanedData(
    tenantId: string,
    id: string,
    options: { confirm: boolean; data?: "keep" | "remove" },
    actor: Actor,
  ) {
    const { profiles, lists } = await this.dataCounts(tenantId, id);
    if (profiles + lists === 0) throw notFound(id);
    if (!options.confirm || options.data !== "remove")
      throw new ConnectionRefused(409, {
        code: "confirmation-required",
        message: `Connection ${id} was deleted; ${profiles} profiles and ${lists} lists it synced are still stored and no longer updated.`,
        remedy: "Send confirm=true with data=remove to delete them now, or leave them as they are.",
        profiles,
        lists,
      });
    const removed = await removeConnectionData(this.store, tenantId, id, this.feed);
    await writeAudit(
      this.store,
      {
        tenantId,
        actor,
        action: "connection.remove-data",
        target: { kind: "connection", id },
        changes: { data: { from: { profiles, lists }, to: "removed" } },
      },
      this.now,
    );
    return { deleted: true, data: "remove" as const, profiles, lists, removed };
  }

  private async dataCounts(tenantId: string, connectionId: string) {
    const where = { where: "c.connectionId = @c", parameters: [{ name: "@c", value: connectionId }] };
    const [profiles, lists] = await Promise.all([
      this.store.profiles.count(tenantId, where),
      this.store.lists.count(tenantId, where),
    ]);
    return { profiles, lists };
  }

  /** Credentials first, then each permission the options need: granted or missing, by exact name. */
  async test(tenantId: string, id: string): Promise<TestResult> {
    const connection = await this.get(tenantId, id);
    if (connection.kind === "scim") return { ok: true, checks: [] };
    const delegated = connection.kind === "graph-delegated";
    let result: TestResult;
    let secretExpiresAt: string | undefined;
    // The test proves what Entra ID and Graph answer now: a cached token could hide a revoked one, or a
    // secret that no longer works.
    this.credentials.forget(connection);
    try {
      const granted = delegated
        ? await this.credentials.grantedScopes(connection)
        : await this.credentials.grantedAppRoles(connection);
      const graph = this.credentials.graphFor(connection);
      const checks = await checkPermissions(
        graph,
        requiredPermissions(connection.settings, delegated),
        granted,
        delegated ? "delegated" : "application",
      );
      // An app connection also reads when its own client secret expires, to warn before syncing stops.
      if (!delegated && connection.clientId && connection.secret) {
        const secret = await this.secrets.open(connection.secret, secretContext(tenantId, id));
        const expiry = await secretExpiryCheck(graph, connection.clientId, secret, this.now());
        checks.push(expiry.check);
        secretExpiresAt = expiry.expiresAt;
      }
      result = {
        // Syncing needs the required permissions only; a missing optional one is reported, not failed.
        ok: checks.every((c) => c.status === "granted" || c.optional),
        checks: [
          { permission: "credentials", status: "granted", detail: "Entra ID issued a token." },
          ...checks,
        ],
      };
      await this.health.credentialWorks(connection);
    } catch (err) {
      if (!isDirectoryProblem(err)) throw err;
      const cause = err instanceof CredentialProblem ? err.reason : err.kind;
      result = {
        ok: false,
        // The secret or consent was refused: nothing is "missing" from the app's permissions.
        checks: [{ permission: "credentials", status: "rejected", detail: `${err.message} ${err.remedy}` }],
        problem: { code: cause, kind: err.kind, message: err.message, remedy: err.remedy },
      };
    }
    await this.store.connections.update(tenantId, id, (c) => {
      c.lastTest = { at: new Date(this.now()).toISOString(), ok: result.ok, checks: result.checks };
      if (secretExpiresAt) c.secretExpiresAt = secretExpiresAt;
      else if (result.ok) delete c.secretExpiresAt;
      return c;
    });
    return result;
  }

  /** A user filter Microsoft Graph would reject is refused at the field, before it is saved. */
  private async checkUserFilter(current: ConnectionDoc, input: PatchConnectionInput): Promise<void> {
    const users = input.settings?.users;
    const filter = users?.filter.trim();
    if (!filter || users?.scope !== "all" || input.settings?.what === "lists" || current.kind === "scim")
      return;
    const rejected = await rejectedUserFilter(this.credentials.graphFor(current), filter);
    if (rejected)
      throw new ConnectionRefused(400, {
        code: "invalid-filter",
        message: "Microsoft Graph does not accept the user filter",
        remedy: "Correct the user filter (OData) and save again; nothing was saved.",
        fields: { "settings.users.filter": rejected },
      });
  }

  private async audit(
    tenantId: string,
    actor: Actor,
    action: string,
    target: ConnectionDoc,
    before: ConnectionDoc | undefined,
    after: ConnectionDoc,
  ) {
    const changes = diff(before, after);
    // A rotated secret shows as a change of the hint only, never of the value.
    if (changes.secret) changes.secret = { from: before?.secret ? "[redacted]" : null, to: "[redacted]" };
    await writeAudit(
      this.store,
      { tenantId, actor, action, target: { kind: "connection", id: target.id, name: target.name }, changes },
      this.now,
    );
  }
}

const notFound = (id: string) =>
  new ConnectionRefused(404, {
    code: "not-found",
    message: `Connection ${id} was not found`,
    remedy: "Reload the list of connections.",
  });
