import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from "botbuilder";
import { cardMessage } from "./cards/attachment.ts";
import { noticeCard } from "./cards/notice.ts";
import type { BotLogger } from "./ports.ts";

export interface BotAuthSettings {
  appId?: string;
  appPassword?: string;
  /** The tenant of the bot's identity; required for SingleTenant and UserAssignedMSI. */
  appTenantId?: string;
  /**
   * SingleTenant or MultiTenant: the bot's Entra app and its password. UserAssignedMSI: appId is the client id
   * of the managed identity the app runs as, which gets the Bot Connector's tokens without any secret.
   * Unset: SingleTenant when appTenantId is set, else MultiTenant.
   */
  appType?: "SingleTenant" | "MultiTenant" | "UserAssignedMSI";
}

/**
 * The Bot Framework adapter. It validates the connector's tokens on every incoming request and signs outgoing
 * calls. With no app id it runs unauthenticated, which is what the Microsoft 365 Agents Playground and the
 * local tests expect; never run it like that where the endpoint is reachable from outside.
 */
export function createAdapter(settings: BotAuthSettings, logger: BotLogger): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: settings.appId ?? "",
    MicrosoftAppPassword: settings.appPassword ?? "",
    MicrosoftAppTenantId: settings.appTenantId ?? "",
    MicrosoftAppType: settings.appType ?? (settings.appTenantId ? "SingleTenant" : "MultiTenant"),
  });
  const adapter = new CloudAdapter(auth);
  if (!settings.appId)
    logger.warn(
      {},
      "bot: BOT_APP_ID is empty, so the bot endpoint accepts unauthenticated requests (local use only)",
    );
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error(
      { err: { name: error.name, message: error.message }, activityType: context.activity.type },
      "bot: turn failed",
    );
    if (context.activity.type !== "message") return;
    try {
      await context.sendActivity(
        cardMessage(
          noticeCard(
            "Sorry, that failed on our side",
            "I couldn't finish that because of an internal error.",
            {
              remedy: "Try again in a minute; if it keeps failing, check Directory Sync in the tab.",
              tone: "Attention",
            },
          ),
        ),
      );
    } catch {
      // The connector is unreachable too; the log above is all we can do.
    }
  };
  return adapter;
}
