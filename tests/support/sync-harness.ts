import { randomBytes, randomUUID } from "node:crypto";
import { pino } from "pino";
import { ConnectionCredentials, secretContext } from "../../api/auth/credentials.ts";
import { LocalKeyWrapper, SecretBox } from "../../api/auth/secrets.ts";
import { type SyncSettingsInput, syncSettingsSchema } from "../../api/domain/sync-settings.ts";
import type { TaskType } from "../../api/domain/tasks.ts";
import { EventBus } from "../../api/events.ts";
import { ChangeFeed } from "../../api/feed/change-feed.ts";
import type { ConnectionDoc, EventDoc, ProfileDoc, TaskDoc } from "../../api/store/documents.ts";
import type { Store } from "../../api/store/store.ts";
import { SyncService } from "../../api/sync/service.ts";
import {
  DEMO_CUSTOMER_APP,
  DEMO_TENANT_ID,
  demoTenant,
  generatedTenant,
  type RunningSimulator,
  type SimulatorOptions,
  type TenantSeed,
} from "../../sim/index.ts";
import { startTestSimulator } from "./sim.ts";
import { startTestStore } from "./stack.ts";

export const ADMIN = { oid: "5bde3e51-d13b-4db1-9948-fe4b109d11a7", name: "MOD Administrator" };

/**
 * The sync engine wired as in production (real Cosmos protocol, real Graph client, real msal-node tokens)
 * against the simulated demo tenant, with one app-credential connection to drive.
 */
export class SyncHarness {
  events: EventDoc[] = [];
  private constructor(
    readonly stack: Awaited<ReturnType<typeof startTestStore>>,
    readonly masterKey: Buffer,
    readonly store: Store,
    readonly sim: RunningSimulator,
    readonly sync: SyncService,
    readonly credentials: ConnectionCredentials,
    readonly secrets: SecretBox,
    /** The change feed every run writes through, as in production. */
    readonly feed: ChangeFeed,
    private readonly closers: (() => Promise<void>)[],
    /** What the service announces runs through (post-run work subscribes here, as in production). */
    readonly bus: EventBus,
  ) {}

  static async start(
    simOptions: Omit<SimulatorOptions, "tls"> = {},
    serviceOptions: { leaseMs?: number; instanceId?: string } = {},
  ): Promise<SyncHarness> {
    const stack = await startTestStore();
    const sim = await startTestSimulator(simOptions);
    const masterKey = randomBytes(32);
    const secrets = new SecretBox(new LocalKeyWrapper(masterKey));
    const credentials = new ConnectionCredentials(
      { authorityHost: sim.url, graphBaseUrl: sim.url, productClientId: randomUUID() },
      secrets,
    );
    const logger = pino({ level: "silent" });
    const events = new EventBus(stack.store);
    const feed = new ChangeFeed(stack.store, { retentionDays: 30 });
    const sync = new SyncService({
      store: stack.store,
      events,
      feed,
      logger,
      graphFor: async (c) => credentials.graphFor(c),
      leaseMs: serviceOptions.leaseMs ?? 30_000,
      ...(serviceOptions.instanceId ? { instanceId: serviceOptions.instanceId } : {}),
    });
    const harness = new SyncHarness(
      stack,
      masterKey,
      stack.store,
      sim,
      sync,
      credentials,
      secrets,
      feed,
      [() => sim.close(), () => stack.close()],
      events,
    );
    events.subscribe((e) => {
      harness.events.push(e);
    });
    return harness;
  }

  async close(): Promise<void> {
    await this.sync.idle();
    for (const close of this.closers) await close();
  }

  /** Creates an active app-credential connection to the demo tenant with the given settings. */
  async connect(settings: SyncSettingsInput = {}, name = "Contoso directory"): Promise<ConnectionDoc> {
    const id = randomUUID();
    const now = new Date().toISOString();
    const connection: ConnectionDoc = {
      id,
      tenantId: DEMO_TENANT_ID,
      type: "connection",
      name,
      kind: "graph-app",
      status: "active",
      clientId: DEMO_CUSTOMER_APP.clientId,
      secret: await this.secrets.seal(DEMO_CUSTOMER_APP.clientSecret, secretContext(DEMO_TENANT_ID, id)),
      settings: syncSettingsSchema.parse(settings),
      schedule: { enabled: false, intervalMinutes: 60, fullEveryHours: 24, quiet: false },
      allowConcurrent: true,
      createdAt: now,
      createdBy: ADMIN,
      updatedAt: now,
      updatedBy: ADMIN,
    };
    return this.store.connections.create(connection);
  }

  async updateSettings(connection: ConnectionDoc, settings: SyncSettingsInput): Promise<ConnectionDoc> {
    return this.store.connections.update(DEMO_TENANT_ID, connection.id, (c) => ({
      ...c,
      settings: syncSettingsSchema.parse(settings),
    }));
  }

  /** Starts a task, waits for it to end, and returns its final document. */
  async run(connection: ConnectionDoc, type: TaskType = "full"): Promise<TaskDoc> {
    const result = await this.sync.startTask(DEMO_TENANT_ID, connection.id, {
      type,
      trigger: "api",
      requestedBy: ADMIN,
    });
    if (!("task" in result)) throw new Error(`already running: ${result.alreadyRunning.id}`);
    await this.sync.idle();
    return this.store.tasks.require(DEMO_TENANT_ID, result.task.id);
  }

  async profiles(connection: ConnectionDoc): Promise<ProfileDoc[]> {
    const all = await this.store.profiles.all(DEMO_TENANT_ID, {
      where: "c.connectionId = @c",
      parameters: [{ name: "@c", value: connection.id }],
    });
    return all.sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /**
   * What a connection's directory holds, by Entra ids (connection ids differ between connections): live
   * profiles, live lists with their member counts, and membership edges. Two connections synced from the
   * same tenant state must have equal shapes.
   */
  async shape(connection: ConnectionDoc) {
    const where = { where: "c.connectionId = @c", parameters: [{ name: "@c", value: connection.id }] };
    const profiles = (await this.store.profiles.all(DEMO_TENANT_ID, where))
      .filter((p) => p.status !== "deleted")
      .map((p) => `${p.sourceId}:${p.status}:${p.hash}`);
    const lists = (await this.store.lists.all(DEMO_TENANT_ID, where))
      .filter((l) => l.status !== "deleted")
      .map((l) => `${l.sourceId}:${l.memberCount}:${l.hash}:${l.pendingMembers ? "pending" : "done"}`);
    const edges = (await this.store.memberships.all(DEMO_TENANT_ID, where)).map(
      (e) => `${e.listSourceId}:${e.memberSourceId}`,
    );
    return { profiles: profiles.sort(), lists: lists.sort(), edges: edges.sort() };
  }

  async records(task: TaskDoc) {
    return this.store.taskRecords.all(DEMO_TENANT_ID, {
      where: "c.taskId = @t",
      parameters: [{ name: "@t", value: task.id }],
    });
  }
}

/** A generated tenant under the demo tenant id, with the demo customer app registered and consented. */
export function generatedDemoTenant(options: {
  users: number;
  groups: number;
  memberships: number;
  nestedGroups?: number;
}): TenantSeed {
  const demo = demoTenant();
  return {
    ...generatedTenant({ ...options, seed: 11, tenantId: DEMO_TENANT_ID }),
    apps: demo.apps,
    grants: demo.grants,
  };
}
