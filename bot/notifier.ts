import type { CloudAdapter, ConversationParameters, ConversationReference, TurnContext } from "botbuilder";
import { cardMessage } from "./cards/attachment.ts";
import type { AdaptiveCard } from "./cards/card.ts";
import type { Links } from "./cards/links.ts";
import type { AlertChannels } from "./conversations.ts";
import { describeDeliveryError } from "./delivery-errors.ts";
import { planNotification } from "./notifications.ts";
import type { AlertChannelRecord, AlertDelivery, AlertSource, BotLogger, BotRecords } from "./ports.ts";
import type { AlertEvent } from "./views.ts";

export type DeliveryResult =
  | { status: "delivered"; conversationId: string }
  | { status: "skipped"; reason: string }
  | { status: "failed"; error: string; httpStatus: number };

export interface NotifierDeps {
  adapter: CloudAdapter;
  botAppId: string;
  records: Pick<BotRecords, "tasks" | "connections" | "events">;
  channels: AlertChannels;
  links: Links;
  logger: BotLogger;
}

/**
 * Posts alerts to the tenant's alert channel. The outcome of every post is written back to the event (and a
 * failure to the conversation), so an alert that could not be delivered shows up in the tab instead of
 * vanishing. It raises no events of its own: a failing notifier must never feed itself.
 */
export class Notifier {
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: NotifierDeps) {}

  attach(events: AlertSource): void {
    this.unsubscribe?.();
    this.unsubscribe = events.subscribe(async (event) => {
      await this.notify(event);
    });
  }

  detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  async notify(event: AlertEvent): Promise<DeliveryResult> {
    const { records, links, channels, logger } = this.deps;
    const [task, connection] = await Promise.all([
      event.taskId ? records.tasks.get(event.tenantId, event.taskId) : undefined,
      event.connectionId ? records.connections.get(event.tenantId, event.connectionId) : undefined,
    ]);
    const plan = planNotification({ event, task, connection }, links);
    if ("skip" in plan) {
      // Not posted by design (quiet mode): settled, so the tab does not show it as pending forever.
      if (event.kind !== "delivery-failed")
        await this.recordOnEvent(event, { status: "delivered", error: `Not posted: ${plan.skip}.` });
      return { status: "skipped", reason: plan.skip };
    }
    const target = await channels.get(event.tenantId);
    if (!target) {
      const error =
        'No alert channel: Directory Sync is not installed in a team of this tenant. Add the app to the team of your admins; it posts in the channel it was added to, or say "set channel" in another.';
      await this.recordOnEvent(event, { status: "failed", error });
      return { status: "failed", error, httpStatus: 0 };
    }
    try {
      const conversationId = await this.post(target, plan.post, plan.summary);
      await this.recordOnEvent(event, { status: "delivered" });
      if (target.lastDeliveryFailure) await channels.recordDelivery(event.tenantId, undefined);
      return { status: "delivered", conversationId };
    } catch (err) {
      const failure = describeDeliveryError(err);
      logger.warn(
        {
          tenantId: event.tenantId,
          eventId: event.id,
          kind: event.kind,
          status: failure.status,
          code: failure.code,
        },
        "bot: alert could not be delivered",
      );
      const at = new Date().toISOString();
      await this.recordOnEvent(event, { status: "failed", error: failure.message });
      await channels
        .recordDelivery(event.tenantId, { at, status: failure.status, message: failure.message })
        .catch((recordErr: unknown) =>
          logger.error(
            { err: String(recordErr), tenantId: event.tenantId },
            "bot: could not record delivery failure",
          ),
        );
      return { status: "failed", error: failure.message, httpStatus: failure.status };
    }
  }

  /**
   * A team channel gets each alert as a new thread (createConversation, as TeamsInfo.sendMessageToTeamsChannel
   * does), so replies stay with the alert; a personal chat simply continues the conversation.
   */
  private async post(target: AlertChannelRecord, card: AdaptiveCard, summary: string): Promise<string> {
    const { adapter, botAppId } = this.deps;
    const reference = target.reference as Partial<ConversationReference>;
    const message = cardMessage(card, summary);
    if (target.channelId && reference.serviceUrl) {
      const parameters = {
        isGroup: true,
        channelData: { channel: { id: target.channelId } },
        activity: message,
        bot: reference.bot,
        tenantId: reference.conversation?.tenantId ?? target.tenantId,
      } as ConversationParameters;
      let threadId = "";
      await adapter.createConversationAsync(
        botAppId,
        reference.channelId ?? "msteams",
        reference.serviceUrl,
        // The connector factory picks the cloud's default audience when none is given.
        undefined as unknown as string,
        parameters,
        async (context: TurnContext) => {
          threadId = context.activity.conversation.id;
        },
      );
      return threadId;
    }
    let failure: unknown;
    let conversationId = "";
    // Errors inside the turn would otherwise go to onTurnError; catch them here to record the outcome.
    await adapter.continueConversationAsync(botAppId, reference, async (context: TurnContext) => {
      try {
        await context.sendActivity(message);
        conversationId = context.activity.conversation.id;
      } catch (err) {
        failure = err;
      }
    });
    if (failure) throw failure;
    return conversationId;
  }

  private async recordOnEvent(event: AlertEvent, outcome: Omit<AlertDelivery, "at">) {
    try {
      await this.deps.records.events.recordDelivery(event.tenantId, event.id, {
        status: outcome.status,
        at: new Date().toISOString(),
        ...(outcome.error ? { error: outcome.error } : {}),
      });
    } catch (err) {
      this.deps.logger.error(
        { err: String(err), eventId: event.id },
        "bot: could not record delivery on the event",
      );
    }
  }
}
