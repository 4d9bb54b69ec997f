import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  type TurnContext,
} from "botbuilder";
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
  /**
   * Where the connector's signing keys are published (the Bot Framework's BotOpenIdMetadata setting);
   * empty for the public cloud's https://login.botframework.com/v1/.well-known/openidconfiguration.
   */
  openIdMetadataUrl?: string;
}

/** The public cloud's Bot Framework endpoints, spelled out because naming one of them means naming all. */
const PUBLIC_CLOUD = {
  ValidateAuthority: true,
  ToChannelFromBotLoginUrl: "https://login.microsoftonline.com/botframework.com",
  ToChannelFromBotOAuthScope: "https://api.botframework.com",
  ToBotFromChannelTokenIssuer: "https://api.botframework.com",
  OAuthUrl: "https://api.botframework.com",
  ToBotFromEmulatorOpenIdMetadataUrl:
    "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
  CallerId: "urn:botframework:azure",
};

/**
 * CloudAdapter whose turn the endpoint runs itself: CloudAdapter.process answers a failed authentication with
 * the error's own text (a key endpoint's host name, a network error) and logs it with its stack to stdout.
 */
export class BotEndpointAdapter extends CloudAdapter {
  /** Authenticates the request (throws when it cannot), then runs `logic` for the turn. */
  runTurn(
    authHeader: string,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

/**
 * The Bot Framework adapter. It validates the connector's tokens on every incoming request and signs outgoing
 * calls. With no app id it runs unauthenticated, which is what the Microsoft 365 Agents Playground and the
 * local tests expect; never run it like that where the endpoint is reachable from outside.
 */
export function createAdapter(settings: BotAuthSettings, logger: BotLogger): BotEndpointAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: settings.appId ?? "",
    MicrosoftAppPassword: settings.appPassword ?? "",
    MicrosoftAppTenantId: settings.appTenantId ?? "",
    MicrosoftAppType: settings.appType ?? (settings.appTenantId ? "SingleTenant" : "MultiTenant"),
    ...(settings.openIdMetadataUrl
      ? { ...PUBLIC_CLOUD, ToBotFromChannelOpenIdMetadataUrl: settings.openIdMetadataUrl }
      : {}),
  });
  const adapter = new BotEndpointAdapter(auth);
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
