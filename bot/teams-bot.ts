import {
  ActivityTypes,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  TeamsActivityHandler,
  type TurnContext,
} from "botbuilder";
import { cardActionResponse, cardMessage } from "./cards/attachment.ts";
import type { ActionData, AdaptiveCard } from "./cards/card.ts";
import type { Links } from "./cards/links.ts";
import { noticeCard } from "./cards/notice.ts";
import { welcomeCard } from "./cards/welcome.ts";
import { actorOf, scopeOf, targetOf, tenantOf } from "./chat-context.ts";
import { runCardAction } from "./commands/actions.ts";
import type { CommandContext } from "./commands/context.ts";
import { runText } from "./commands/run.ts";
import { type AlertChannels, describeTarget } from "./conversations.ts";
import type { BotLogger, BotRecords, SyncPort } from "./ports.ts";

export interface BotDeps {
  records: Pick<BotRecords, "tasks">;
  sync: SyncPort;
  channels: AlertChannels;
  links: Links;
  logger: BotLogger;
  /** Channels the bot acts on (default: Teams only); see allowedChannels in module.ts. */
  allowedChannels?: readonly string[];
}

const TEAMS_CHANNEL = "msteams";

/** Where run() leaves the tenant it checked, for the handlers of the same turn. */
const TENANT_KEY = Symbol("directory-sync tenant");
const tenantIn = (context: TurnContext): string => context.turnState.get(TENANT_KEY) as string;

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

  /**
   * Nothing reaches a handler unless it came through Teams and names one tenant: other channels (Web Chat,
   * Direct Line) let the sender shape conversation and channelData, so their tenant could be anyone's.
   */
  override async run(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const allowed = this.deps.allowedChannels ?? [TEAMS_CHANNEL];
    if (!allowed.includes(activity.channelId)) {
      this.deps.logger.warn(
        {
          channelId: String(activity.channelId ?? "").slice(0, 64),
          activityType: activity.type,
          allowedChannels: allowed,
        },
        "bot: refused an activity from a channel other than Microsoft Teams",
      );
      await this.refuse(
        context,
        noticeCard(
          "I only work inside Microsoft Teams",
          "This didn't come from Microsoft Teams, so I can't tell who sent it or for which organization, and I won't act on it.",
          {
            remedy:
              "Talk to me in Microsoft Teams, in a channel or chat where the Directory Sync app is installed.",
          },
        ),
      );
      return;
    }
    const tenant = tenantOf(activity);
    if (!tenant.ok) {
      const { reason, ...seen } = tenant;
      this.deps.logger.warn(
        { reason, activityType: activity.type, ...seen },
        reason === "mismatch"
          ? "bot: refused an activity whose conversation.tenantId and channelData.tenant.id disagree"
          : "bot: refused an activity without both conversation.tenantId and channelData.tenant.id",
      );
      await this.refuse(
        context,
        noticeCard(
          "I can't tell which organization this came from",
          reason === "mismatch"
            ? "This activity names two different Microsoft 365 tenants, so I won't act on it."
            : "Teams sends the Microsoft 365 tenant with every message; this one came without it, so I won't act on it.",
          {
            remedy:
              "Send it again from Microsoft Teams. If it keeps happening, ask your Teams admin to reinstall the Directory Sync app.",
            tone: "Warning",
          },
        ),
      );
      return;
    }
    context.turnState.set(TENANT_KEY, tenant.tenantId);
    await super.run(context);
  }

  /** Messages get the card as a reply, card clicks as their answer, other invokes a plain 403; events nothing. */
  private async refuse(context: TurnContext, card: AdaptiveCard): Promise<void> {
    const activity = context.activity;
    if (activity.type === ActivityTypes.Message) await context.sendActivity(cardMessage(card));
    else if (activity.type === ActivityTypes.Invoke)
      await context.sendActivity({
        type: ActivityTypes.InvokeResponse,
        value:
          activity.name === "adaptiveCard/action"
            ? { status: 200, body: cardActionResponse(card) }
            : { status: 403 },
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
    const card = await runText(context.activity.text ?? "", this.commandContext(context, tenantIn(context)));
    await context.sendActivity(cardMessage(card));
  }

  private async installed(context: TurnContext): Promise<void> {
    const tenantId = tenantIn(context);
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
    const tenantId = tenantIn(context);
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
    const botJoined = context.activity.membersAdded?.some((member) => member.id === botId);
    if (botJoined) await this.deps.channels.install(tenantIn(context), targetOf(context));
    await super.onTeamsMembersAdded(context);
  }

  /** Universal Actions: confirm, cancel, retry, refresh and suggestion buttons, answered with a card. */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const tenantId = tenantIn(context);
    const data = (invokeValue.action?.data ?? {}) as ActionData;
    const outcome = await runCardAction(
      invokeValue.action?.verb ?? "",
      data,
      this.commandContext(context, tenantId),
      this.deps.records,
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

/** The Playground's channel when it is started with `-c emulator` instead of `-c msteams`. */
const PLAYGROUND_CHANNEL = "emulator";

/**
 * Teams only. The local stack's unsigned mode (no app id, BOT_ALLOW_UNSIGNED) also takes the Agents
 * Playground's emulator channel, since nothing there is verified anyway; the tenant check still applies.
 * With an app id the traffic is signed and Teams is the only channel, whatever BOT_ALLOW_UNSIGNED says.
 */
export function allowedChannels(config: { BOT_APP_ID?: string; BOT_ALLOW_UNSIGNED?: boolean }): string[] {
  return !config.BOT_APP_ID && config.BOT_ALLOW_UNSIGNED
    ? [TEAMS_CHANNEL, PLAYGROUND_CHANNEL]
    : [TEAMS_CHANNEL];
}
