import { createHash, randomUUID } from "node:crypto";
import { GUID_RE } from "../auth/token-validator.ts";
import { syncSettingsSchema } from "../domain/sync-settings.ts";
import type { EventBus } from "../events.ts";
import type { ChangeFeed } from "../feed/change-feed.ts";
import type { ConnectionDoc, ListDoc, ProfileDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import type { WriteContext } from "../sync/context.ts";
import { ScimCycles, scimStateId } from "./cycle.ts";
import { ScimError } from "./errors.ts";
import { PushGuard } from "./push-guard.ts";

export interface ScimDeps {
  store: Store;
  events: EventBus;
  /** The change feed every directory write goes through (absent: events switched off). */
  feed?: ChangeFeed;
  /** Silence that ends a provisioning cycle. */
  cycleIdleMs: number;
  now?: () => Date;
}

/** How long the tenant's other connections are taken as read. */
const CACHE_MS = 5_000;

/** A GUID derived from a name, so a replayed create (Entra retries) lands on the same resource. */
function nameGuid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The SCIM endpoint's domain side: resources of one push connection, kept on the profiles and lists they
 * are (`scim` shadow), written through the reconciler within a provisioning cycle's task. No Express here.
 */
export class ScimService {
  readonly store: Store;
  readonly cycles: ScimCycles;
  readonly guard: PushGuard;
  readonly now: () => Date;

  constructor(private readonly deps: ScimDeps) {
    this.store = deps.store;
    this.now = deps.now ?? (() => new Date());
    this.cycles = new ScimCycles(deps.store, deps.events, deps.cycleIdleMs, this.now);
    this.guard = new PushGuard(this.cycles, deps.events);
  }

  /** When the connection's endpoint was last called, and when with each token (for the setup page). */
  async usage(tenantId: string, connectionId: string) {
    const state = await this.store.scimState.get(tenantId, scimStateId(connectionId));
    return {
      ...(state?.lastRequestAt ? { lastRequestAt: state.lastRequestAt } : {}),
      tokenUsedAt: state?.tokenUsedAt ?? {},
    };
  }

  /** Read on every write: an attribute the admin just defined is kept from the next request on. */
  async definedAttributes(tenantId: string): Promise<Set<string>> {
    const defined = await this.store.attributeDefinitions.all(tenantId, { select: "c.name" });
    return new Set(defined.map((d) => d.name));
  }

  /** Whether the tenant has connections besides this one, whose profiles a pushed person may already be. */
  hasOtherConnections(connection: ConnectionDoc): Promise<boolean> {
    return this.cached(`others/${connection.tenantId}/${connection.id}`, async () => {
      const n = await this.store.connections.count(connection.tenantId, {
        where: "c.type = 'connection' AND c.id != @c",
        parameters: [{ name: "@c", value: connection.id }],
      });
      return n > 0;
    });
  }

  private readonly memo = new Map<string, { at: number; value: Promise<unknown> }>();

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.memo.get(key);
    if (hit && now - hit.at < CACHE_MS) return hit.value as Promise<T>;
    const value = load();
    this.memo.set(key, { at: now, value });
    if (this.memo.size > 10_000) this.memo.clear();
    value.catch(() => this.memo.delete(key));
    return value;
  }

  /** Runs one write inside the connection's provisioning cycle, adding its counters to the cycle's task. */
  async write<T>(
    connection: ConnectionDoc,
    tokenId: string,
    work: (ctx: WriteContext) => Promise<T>,
  ): Promise<T> {
    const task = await this.cycles.taskFor(connection, tokenId);
    const ctx = await this.contextFor(connection, task.id, this.cycles.reporterFor(task));
    try {
      return await work(ctx);
    } finally {
      await this.cycles.commit(ctx.reporter as ReturnType<ScimCycles["reporterFor"]>);
    }
  }

  async contextFor(
    connection: ConnectionDoc,
    taskId: string,
    reporter: ReturnType<ScimCycles["reporterFor"]>,
  ): Promise<WriteContext> {
    return {
      store: this.store,
      reporter,
      connection,
      settings: syncSettingsSchema.parse(connection.settings ?? {}),
      definedAttributes: await this.definedAttributes(connection.tenantId),
      preview: false,
      taskId,
      now: this.now,
      ...(this.deps.feed ? { feed: this.deps.feed, feedOwner: `${taskId}.${randomUUID()}` } : {}),
    };
  }

  // --- lookups ---------------------------------------------------------------------------------------

  private ownId = (connection: ConnectionDoc, sourceId: string) => `${connection.id}.${sourceId}`;

  /** A live user resource of this connection by its SCIM id (the profile's Entra object id). */
  async user(connection: ConnectionDoc, id: string): Promise<ProfileDoc | undefined> {
    const own = await this.store.profiles.get(connection.tenantId, this.ownId(connection, id));
    if (own?.scim?.connectionId === connection.id) return own.status === "deleted" ? undefined : own;
    const [found] = await this.store.profiles.all(connection.tenantId, {
      where: "c.scim.connectionId = @c AND c.sourceId = @id AND c.status != 'deleted'",
      parameters: [
        { name: "@c", value: connection.id },
        { name: "@id", value: id },
      ],
    });
    return found;
  }

  async userByName(connection: ConnectionDoc, nameKey: string): Promise<ProfileDoc | undefined> {
    const [found] = await this.store.profiles.all(connection.tenantId, {
      where: "c.scim.connectionId = @c AND c.scim.nameKey = @n AND c.status != 'deleted'",
      parameters: [
        { name: "@c", value: connection.id },
        { name: "@n", value: nameKey },
      ],
    });
    return found;
  }

  /** Live users of the connection, narrowed by an indexed clause when the filter allows one. */
  async users(connection: ConnectionDoc, narrow?: { where: string; value: string }): Promise<ProfileDoc[]> {
    return this.store.profiles.all(connection.tenantId, {
      where: `c.scim.connectionId = @c AND c.status != 'deleted'${narrow ? ` AND ${narrow.where}` : ""}`,
      parameters: [
        { name: "@c", value: connection.id },
        ...(narrow ? [{ name: "@v", value: narrow.value }] : []),
      ],
      orderBy: "c.scim.createdAt ASC",
    });
  }

  async group(connection: ConnectionDoc, id: string): Promise<ListDoc | undefined> {
    const own = await this.store.lists.get(connection.tenantId, this.ownId(connection, id));
    return own?.scim?.connectionId === connection.id && own.status !== "deleted" ? own : undefined;
  }

  async groups(connection: ConnectionDoc, narrow?: { where: string; value: string }): Promise<ListDoc[]> {
    return this.store.lists.all(connection.tenantId, {
      where: `c.scim.connectionId = @c AND c.status != 'deleted'${narrow ? ` AND ${narrow.where}` : ""}`,
      parameters: [
        { name: "@c", value: connection.id },
        ...(narrow ? [{ name: "@v", value: narrow.value }] : []),
      ],
      orderBy: "c.scim.createdAt ASC",
    });
  }

  /**
   * The id a new resource gets: the Entra object id when the client sends it as externalId (Entra's
   * `objectId -> externalId` mapping), else one derived from its name, so a replayed create finds the same
   * resource; a fresh one only when those are held by another live resource.
   */
  async newId(
    connection: ConnectionDoc,
    kind: "user" | "group",
    externalId: string | undefined,
    nameKey: string,
  ): Promise<{ id: string; previous?: ProfileDoc | ListDoc }> {
    const repo = kind === "user" ? this.store.profiles : this.store.lists;
    const candidates = [
      ...(externalId && GUID_RE.test(externalId) ? [externalId.toLowerCase()] : []),
      ...(kind === "user" ? [nameGuid(connection.id, nameKey)] : []),
    ];
    for (const id of candidates) {
      const existing = await repo.get(connection.tenantId, this.ownId(connection, id));
      if (!existing) return { id };
      // A deleted one comes back (restored, within the retention window), as in a pull.
      if (existing.status === "deleted") return { id, previous: existing };
    }
    return { id: randomUUID() };
  }

  /** Members as sent, resolved to this connection's live users; the others are reported and ignored. */
  async resolveMembers(
    connection: ConnectionDoc,
    ids: string[],
  ): Promise<{ found: Map<string, ProfileDoc>; unknown: string[] }> {
    const unique = [...new Set(ids)];
    const found = new Map<string, ProfileDoc>();
    for (let i = 0; i < unique.length; i += 200) {
      const rows = await this.store.profiles.all(connection.tenantId, {
        where: "c.scim.connectionId = @c AND c.status != 'deleted' AND ARRAY_CONTAINS(@ids, c.sourceId)",
        parameters: [
          { name: "@c", value: connection.id },
          { name: "@ids", value: unique.slice(i, i + 200) },
        ],
      });
      for (const r of rows) found.set(r.sourceId, r);
    }
    return { found, unknown: unique.filter((id) => !found.has(id)) };
  }

  async members(list: ListDoc) {
    return this.store.memberships.all(list.tenantId, {
      where: "c.listId = @l",
      parameters: [{ name: "@l", value: list.id }],
    });
  }

  /** Live users of the connection: the deletion guard's population. */
  population(connection: ConnectionDoc): Promise<number> {
    return this.store.profiles.count(connection.tenantId, {
      where: "c.scim.connectionId = @c AND c.status != 'deleted'",
      parameters: [{ name: "@c", value: connection.id }],
    });
  }
}

/** RFC 7644 §3.14: a write with If-Match names the version it was made from. */
export function checkVersion(version: number, ifMatch: string | undefined): void {
  if (!ifMatch || ifMatch === "*") return;
  const wanted = ifMatch.split(",").map((t) => t.trim());
  if (!wanted.includes(`W/"${version}"`) && !wanted.includes(`"${version}"`))
    throw new ScimError(412, `The resource changed since version ${ifMatch}; it is now W/"${version}"`);
}
