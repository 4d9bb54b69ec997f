import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  TeamsActivityHandler,
  type TurnContext,
} from "botbuilder";
import type { Store } from "../api/store/store.ts";
import { cardActionResponse, cardMessage } from "./cards/attachment.ts";
import type { ActionData } from "./cards/card.ts";
import type { Links } from "./cards/links.ts";
import { noticeCard } from "./cards/notice.ts";
import { welcomeCard } from "./cards/welcome.ts";
import { actorOf, scopeOf, targetOf, tenantOf } from "./chat-context.ts";
import { runCardAction } from "./commands/actions.ts";
import type { CommandContext } from "./commands/context.ts";
import { runText } from "./commands/run.ts";
import { type AlertChannels, describeTarget } from "./conversations.ts";
import type { BotLogger, SyncPort } from "./ports.ts";

export interface BotDeps {
  store: Pick<Store, "tasks">;
  sync: SyncPort;
  channels: AlertChannels;
  links: Links;
  logger: BotLogger;
}

/**
 * Teams glue: turns activities into commands and card actions, and keeps the alert channel up to date on
 * install and removal. Everything it answers with comes from bot/commands and bot/cards.
 */
export class DirectorySyncBot extends TeamsActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();
    this.onMessage(async (context, next) => {
      await this.answer(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.installed(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.removed(context);
      await next();
    });
  }

  private commandContext(context: TurnContext, tenantId: string): CommandContext {
    const activity = context.activity;
    return {
      tenantId,
      actor: actorOf(activity),
      userId: activity.from?.id ?? "",
      scope: scopeOf(activity),
      sync: this.deps.sync,
      links: this.deps.links,
      logger: this.deps.logger,
      setAlertChannel: async () => {
        const target = targetOf(context, actorOf(activity));
        const doc = await this.deps.channels.set(tenantId, target);
        return doc.channelName ? { channelName: doc.channelName } : {};
      },
    };
  }

  private async answer(context: TurnContext): Promise<void> {
    const tenantId = tenantOf(context.activity);
    if (!tenantId) {
      await context.sendActivity(
        cardMessage(
          noticeCard(
            "I only work inside Microsoft Teams",
            "This message came without a Microsoft 365 tenant.",
            {
              remedy: "Talk to me from Teams (or the Agents Playground, which sends a tenant id).",
            },
          ),
        ),
      );
      return;
    }
    const card = await runText(context.activity.text ?? "", this.commandContext(context, tenantId));
    await context.sendActivity(cardMessage(card));
  }

  private async installed(context: TurnContext): Promise<void> {
    const tenantId = tenantOf(context.activity);
    if (!tenantId) return;
    const target = targetOf(context, actorOf(context.activity));
    const outcome = await this.deps.channels.install(tenantId, target);
    this.deps.logger.info(
      { tenantId, teamId: target.teamId, saved: outcome.saved, action: context.activity.action },
      "bot: installed",
    );
    // An upgrade is not news to anyone; a fresh install says where alerts will go.
    if (context.activity.action === "add-upgrade") return;
    await context.sendActivity(
      cardMessage(
        welcomeCard({
          ...(target.channelName ? { channelName: target.channelName } : {}),
          ...(outcome.saved ? {} : { existingElsewhere: describeTarget(outcome.existing) }),
          personal: !target.teamId,
        }),
      ),
    );
  }

  private async removed(context: TurnContext): Promise<void> {
    const tenantId = tenantOf(context.activity);
    if (!tenantId) return;
    const target = targetOf(context);
    const conversationId = (target.reference.conversation as { id?: string } | undefined)?.id;
    const forgotten = await this.deps.channels.uninstall(tenantId, {
      ...(target.teamId ? { teamId: target.teamId } : {}),
      ...(conversationId ? { conversationId } : {}),
    });
    this.deps.logger.info({ tenantId, teamId: target.teamId, forgotten }, "bot: removed");
  }

  /** Older clients announce the bot joining a team only by conversationUpdate; keep the reference then too. */
  protected override async onTeamsMembersAdded(context: TurnContext): Promise<void> {
    const botId = context.activity.recipient?.id;
    const tenantId = tenantOf(context.activity);
    const botJoined = context.activity.membersAdded?.some((member) => member.id === botId);
    if (botJoined && tenantId) await this.deps.channels.install(tenantId, targetOf(context));
    await super.onTeamsMembersAdded(context);
  }

  /** Universal Actions: confirm, cancel, retry, refresh and suggestion buttons, answered with a card. */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const tenantId = tenantOf(context.activity);
    if (!tenantId)
      return cardActionResponse(
        noticeCard("I only work inside Microsoft Teams", "This action came without a Microsoft 365 tenant."),
      );
    const data = (invokeValue.action?.data ?? {}) as ActionData;
    const outcome = await runCardAction(
      invokeValue.action?.verb ?? "",
      data,
      this.commandContext(context, tenantId),
      this.deps.store,
    );
    const messageId = context.activity.replyToId;
    if (outcome.updateForEveryone && messageId) {
      // The invoke answer only changes the clicker's view; update the message so everyone sees the decision.
      try {
        await context.updateActivity({ ...cardMessage(outcome.card), id: messageId });
      } catch (err) {
        this.deps.logger.warn({ err: String(err), tenantId }, "bot: could not update the card for everyone");
      }
    }
    return cardActionResponse(outcome.card);
  }
}
