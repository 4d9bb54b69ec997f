import { createHash } from "node:crypto";
import type { WelcomeOutcome, WelcomeStatus } from "../domain/welcome-template.ts";
import type { ProfileDoc, WelcomeNoticeDoc, WelcomeStateDoc } from "../store/documents.ts";
import { isStoreError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";

/**
 * The one id a person's welcome notice can have, from tenant, connection and Entra object id: creating it is
 * the claim "this person will be welcomed", and a second creation fails, whoever tries.
 */
export function welcomeNoticeId(tenantId: string, connectionId: string, sourceId: string): string {
  const digest = createHash("sha256").update(`${tenantId}\n${connectionId}\n${sourceId}`).digest("hex");
  return `welcome.${digest.slice(0, 40)}`;
}

const welcomeStateId = (connectionId: string) => `welcome-state.${connectionId}`;

export type NewNotice = Pick<WelcomeNoticeDoc, "connectionId" | "sourceId" | "name" | "email" | "taskId"> & {
  status: Extract<WelcomeStatus, "pending" | "skipped">;
  detail?: string;
};

export function personOf(profile: ProfileDoc): { name: string; email?: string; guest: boolean } {
  const email = typeof profile.fields.email === "string" ? profile.fields.email : undefined;
  return {
    name: profile.displayName,
    ...(email ? { email } : {}),
    guest: profile.fields.userType === "Guest",
  };
}

/** A notice as task details, the CSV and "why" show it. */
export function outcomeOf(notice: WelcomeNoticeDoc): WelcomeOutcome {
  // A claim still held is a send under way; shown as pending until it settles.
  const status = notice.status === "sending" ? "pending" : notice.status;
  return {
    status,
    ...(notice.channel ? { channel: notice.channel } : {}),
    ...(notice.detail ? { detail: notice.detail } : {}),
    ...(notice.attempts ? { attempts: notice.attempts } : {}),
    at: notice.sentAt ?? notice.updatedAt,
  };
}

/** Reading and writing notices and each connection's welcome state. */
export class WelcomeNotices {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  /** Creates the notice unless the person already has one; answers the created notice, or undefined. */
  async createIfAbsent(tenantId: string, input: NewNotice): Promise<WelcomeNoticeDoc | undefined> {
    const at = this.now().toISOString();
    try {
      return (await this.store.welcomeNotices.create({
        id: welcomeNoticeId(tenantId, input.connectionId, input.sourceId),
        tenantId,
        type: "welcomeNotice",
        connectionId: input.connectionId,
        sourceId: input.sourceId,
        name: input.name,
        ...(input.email ? { email: input.email } : {}),
        ...(input.taskId ? { taskId: input.taskId } : {}),
        status: input.status,
        ...(input.detail ? { detail: input.detail } : {}),
        attempts: 0,
        createdAt: at,
        updatedAt: at,
      })) as WelcomeNoticeDoc;
    } catch (err) {
      if (isStoreError(err, "conflict")) return undefined;
      throw err;
    }
  }

  async get(tenantId: string, connectionId: string, sourceId: string): Promise<WelcomeNoticeDoc | undefined> {
    const doc = await this.store.welcomeNotices.get(
      tenantId,
      welcomeNoticeId(tenantId, connectionId, sourceId),
    );
    return doc?.type === "welcomeNotice" ? doc : undefined;
  }

  /**
   * Notices the next send pass takes: never sent, failed fewer than `maxAttempts` times, or claimed by a sender
   * that may have gone quiet. A notice that used up its attempts stays failed for an admin to see, and the
   * query leaves it out, so passes do not read every such notice again, forever.
   */
  async due(tenantId: string, connectionId: string, maxAttempts: number): Promise<WelcomeNoticeDoc[]> {
    const docs = await this.store.welcomeNotices.all(tenantId, {
      where:
        "c.type = 'welcomeNotice' AND c.connectionId = @c AND (ARRAY_CONTAINS(@s, c.status) OR (c.status = 'failed' AND c.attempts < @max))",
      parameters: [
        { name: "@c", value: connectionId },
        { name: "@s", value: ["pending", "sending"] },
        { name: "@max", value: maxAttempts },
      ],
    });
    return (docs as WelcomeNoticeDoc[]).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** How many notices the connection sent since a time (Exchange counts recipients per day). */
  async sentSince(tenantId: string, connectionId: string, since: Date): Promise<number> {
    return this.store.welcomeNotices.count(tenantId, {
      where: "c.type = 'welcomeNotice' AND c.connectionId = @c AND c.status = 'sent' AND c.sentAt >= @t",
      parameters: [
        { name: "@c", value: connectionId },
        { name: "@t", value: since.toISOString() },
      ],
    });
  }

  /**
   * Takes the notice for sending, unless another sender changed it since it was read (then undefined): the
   * compare-and-swap on its ETag is what keeps two passes from sending the same notice.
   */
  async claim(notice: WelcomeNoticeDoc, owner: string): Promise<WelcomeNoticeDoc | undefined> {
    const at = this.now().toISOString();
    try {
      return (await this.store.welcomeNotices.replace({
        ...notice,
        status: "sending",
        claim: { owner, at },
        attempts: notice.attempts + 1,
        updatedAt: at,
      })) as WelcomeNoticeDoc;
    } catch (err) {
      if (isStoreError(err, "precondition-failed") || isStoreError(err, "not-found")) return undefined;
      throw err;
    }
  }

  async settle(
    notice: WelcomeNoticeDoc,
    change: Pick<WelcomeNoticeDoc, "status"> &
      Partial<Pick<WelcomeNoticeDoc, "channel" | "detail" | "errorCode">>,
  ): Promise<WelcomeNoticeDoc> {
    const at = this.now().toISOString();
    const { claim: _released, detail: _old, errorCode: _oldCode, ...rest } = notice;
    return (await this.store.welcomeNotices.replace({
      ...rest,
      ...change,
      ...(change.status === "sent" ? { sentAt: at } : {}),
      updatedAt: at,
    })) as WelcomeNoticeDoc;
  }

  async state(tenantId: string, connectionId: string): Promise<WelcomeStateDoc | undefined> {
    const doc = await this.store.welcomeNotices.get(tenantId, welcomeStateId(connectionId));
    return doc?.type === "welcomeState" ? doc : undefined;
  }

  async saveState(
    tenantId: string,
    connectionId: string,
    change: Pick<WelcomeStateDoc, "on"> & Partial<Pick<WelcomeStateDoc, "processedThrough">>,
  ): Promise<void> {
    const current = await this.state(tenantId, connectionId);
    await this.store.welcomeNotices.upsert({
      ...(current ?? {}),
      id: welcomeStateId(connectionId),
      tenantId,
      type: "welcomeState",
      connectionId,
      ...change,
      updatedAt: this.now().toISOString(),
    });
  }

  /** Writes the outcome onto the record of the task that created the person (gone after its retention). */
  async showOnTaskRecord(notice: WelcomeNoticeDoc): Promise<void> {
    if (!notice.taskId) return;
    const id = `${notice.taskId}.user.${notice.sourceId}`;
    try {
      await this.store.taskRecords.update(notice.tenantId, id, (r) => ({ ...r, welcome: outcomeOf(notice) }));
    } catch (err) {
      if (!isStoreError(err, "not-found")) throw err;
    }
  }
}
