import type { Router } from "express";
import { type BotEndpointAdapter, createAdapter } from "../../bot/adapter.ts";
import { createLinks } from "../../bot/cards/links.ts";
import { AlertChannels } from "../../bot/conversations.ts";
import { botEndpoint } from "../../bot/endpoint.ts";
import { Notifier } from "../../bot/notifier.ts";
import { PersonalMessages } from "../../bot/personal-messages.ts";
import type { AlertSource, BotLogger, BotRecords, SyncPort } from "../../bot/ports.ts";
import { allowedChannels, DirectorySyncBot } from "../../bot/teams-bot.ts";

/** The settings the bot reads; the API's Config satisfies it (TEAMS_APP_ID is optional until it exists). */
export interface BotConfig {
  BOT_APP_ID?: string;
  BOT_APP_PASSWORD?: string;
  BOT_APP_TENANT_ID?: string;
  BOT_APP_TYPE?: "SingleTenant" | "MultiTenant" | "UserAssignedMSI";
  /** Local testing only: the endpoint takes unsigned traffic (no BOT_APP_ID), as from the Agents Playground. */
  BOT_ALLOW_UNSIGNED?: boolean;
  /** Manifest id of the Teams app, for deep links into the tab; without it links open the web app. */
  TEAMS_APP_ID?: string;
  /** The connector's OpenID metadata (the Bot Framework's BotOpenIdMetadata); empty for the public cloud. */
  BOT_OPENID_METADATA?: string;
  publicUrl: string;
}

export interface BotModule {
  /** Handles exactly POST /api/messages; mount it with the public routes (the adapter checks tokens). */
  router: Router;
  notifier: Notifier;
  /** 1:1 messages to people who never wrote to the bot (welcome notices). */
  personal: PersonalMessages;
  adapter: BotEndpointAdapter;
  bot: DirectorySyncBot;
  /** Stops listening to events. */
  close(): void;
}

export function createBotModule(deps: {
  config: BotConfig;
  records: BotRecords;
  events: AlertSource;
  sync: SyncPort;
  logger: BotLogger;
}): BotModule {
  const { config, records, events, sync, logger } = deps;
  const adapter = createAdapter(
    {
      ...(config.BOT_APP_ID ? { appId: config.BOT_APP_ID } : {}),
      ...(config.BOT_APP_PASSWORD ? { appPassword: config.BOT_APP_PASSWORD } : {}),
      ...(config.BOT_APP_TENANT_ID ? { appTenantId: config.BOT_APP_TENANT_ID } : {}),
      ...(config.BOT_OPENID_METADATA ? { openIdMetadataUrl: config.BOT_OPENID_METADATA } : {}),
      ...(config.BOT_APP_TYPE ? { appType: config.BOT_APP_TYPE } : {}),
    },
    logger,
  );
  const links = createLinks({
    publicUrl: config.publicUrl,
    ...(config.TEAMS_APP_ID ? { teamsAppId: config.TEAMS_APP_ID } : {}),
  });
  const signed = Boolean(config.BOT_APP_ID);
  const channels = new AlertChannels(records, { keepStoredServiceUrl: !signed });
  const bot = new DirectorySyncBot({
    records,
    sync,
    channels,
    links,
    logger,
    allowedChannels: allowedChannels(config),
  });
  const notifier = new Notifier({
    adapter,
    botAppId: config.BOT_APP_ID ?? "",
    records,
    channels,
    links,
    logger,
  });
  notifier.attach(events);

  const router = botEndpoint({ adapter, run: (context) => bot.run(context), signed, logger });
  const personal = new PersonalMessages({ adapter, botAppId: config.BOT_APP_ID ?? "", channels });
  return { router, notifier, personal, adapter, bot, close: () => notifier.detach() };
}
