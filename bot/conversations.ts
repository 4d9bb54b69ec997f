import type { AlertChannelRecord, BotRecords, ChatActor } from "./ports.ts";

/** Where a chat happens: enough to post there later, with no chat SDK types. */
export interface ChatTarget {
  /** A Bot Framework conversation reference (serviceUrl, conversation, bot, channelId, …). */
  reference: Record<string, unknown>;
  teamId?: string;
  channelId?: string;
  channelName?: string;
  teamName?: string;
  installedBy?: ChatActor;
}

export type InstallOutcome =
  | { saved: true; doc: AlertChannelRecord }
  | { saved: false; existing: AlertChannelRecord };

const conversationIdOf = (doc: Pick<AlertChannelRecord, "reference">) =>
  (doc.reference.conversation as { id?: string } | undefined)?.id;

/** Human description of where alerts go, for cards. */
export const describeTarget = (doc: AlertChannelRecord) =>
  doc.teamId
    ? doc.channelName
      ? `the ${doc.channelName} channel`
      : "a channel of another team"
    : "a personal chat";

/**
 * The tenant's alert channel: one conversation document per tenant (id = tenant id). A team channel wins over
 * a personal chat; a second team does not take the alerts over silently, someone says "set channel" there.
 */
export class AlertChannels {
  /**
   * `keepStoredServiceUrl`: the endpoint takes unsigned activities (the local stack), whose serviceUrl anyone
   * could have written, so an alert channel already stored keeps the service URL it has; alerts are never
   * redirected by an unsigned caller. Signed activities carry a connector-checked serviceUrl and update it.
   */
  constructor(
    private readonly records: Pick<BotRecords, "conversations">,
    private readonly options: { keepStoredServiceUrl?: boolean } = {},
  ) {}

  get(tenantId: string): Promise<AlertChannelRecord | undefined> {
    return this.records.conversations.get(tenantId, tenantId);
  }

  async install(tenantId: string, target: ChatTarget): Promise<InstallOutcome> {
    const existing = await this.get(tenantId);
    if (existing) {
      const sameTeam = target.teamId !== undefined && existing.teamId === target.teamId;
      if (sameTeam) {
        // Reinstall or upgrade: keep the chosen channel, take the fresh service URL.
        const serviceUrl = this.options.keepStoredServiceUrl ? undefined : target.reference.serviceUrl;
        const doc = await this.records.conversations.update(tenantId, tenantId, (current) => ({
          ...current,
          reference: { ...current.reference, ...(serviceUrl ? { serviceUrl } : {}) },
          updatedAt: new Date().toISOString(),
        }));
        return { saved: true, doc };
      }
      const replacesPersonal = target.teamId !== undefined && existing.teamId === undefined;
      if (!replacesPersonal) return { saved: false, existing };
    }
    return { saved: true, doc: await this.set(tenantId, target) };
  }

  /** "set channel": an explicit choice always wins. */
  async set(tenantId: string, target: ChatTarget): Promise<AlertChannelRecord> {
    const stored = this.options.keepStoredServiceUrl
      ? (await this.get(tenantId))?.reference.serviceUrl
      : undefined;
    return this.records.conversations.upsert({
      id: tenantId,
      tenantId,
      type: "conversation",
      reference: stored ? { ...target.reference, serviceUrl: stored } : target.reference,
      ...(target.teamId ? { teamId: target.teamId } : {}),
      ...(target.channelId ? { channelId: target.channelId } : {}),
      ...(target.channelName ? { channelName: target.channelName } : {}),
      ...(target.installedBy ? { installedBy: target.installedBy } : {}),
      updatedAt: new Date().toISOString(),
    });
  }

  /** The bot left a team or a chat: forget the alert channel only if it was there. */
  async uninstall(tenantId: string, where: { teamId?: string; conversationId?: string }): Promise<boolean> {
    const existing = await this.get(tenantId);
    if (!existing) return false;
    const matches = where.teamId
      ? existing.teamId === where.teamId
      : !existing.teamId && conversationIdOf(existing) === where.conversationId;
    if (!matches) return false;
    return this.records.conversations.delete(tenantId, tenantId);
  }

  async recordDelivery(
    tenantId: string,
    failure: AlertChannelRecord["lastDeliveryFailure"] | undefined,
  ): Promise<void> {
    await this.records.conversations.update(tenantId, tenantId, (current) => {
      if (!failure && !current.lastDeliveryFailure) return undefined;
      const { lastDeliveryFailure: _previous, ...rest } = current;
      return failure ? { ...rest, lastDeliveryFailure: failure } : rest;
    });
  }
}
