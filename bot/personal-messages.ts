import type { CloudAdapter, ConversationParameters, ConversationReference, TurnContext } from "botbuilder";
import type { AlertChannels } from "./conversations.ts";

export interface PersonalMessagesDeps {
  adapter: CloudAdapter;
  botAppId: string;
  channels: AlertChannels;
}

/**
 * 1:1 messages from the bot to a person who never wrote to it (welcome notices). Teams needs the app installed
 * for the person first (done through Graph by the caller) and the region's service address, which the bot
 * learned when it was added to the tenant's admin team.
 */
export class PersonalMessages {
  constructor(private readonly deps: PersonalMessagesDeps) {}

  async sendPersonal(tenantId: string, userObjectId: string, text: string): Promise<void> {
    const { adapter, botAppId, channels } = this.deps;
    const channel = await channels.get(tenantId);
    const reference = channel?.reference as Partial<ConversationReference> | undefined;
    if (!reference?.serviceUrl)
      throw new Error(
        "the bot does not know this tenant's Teams service address yet: add Directory Sync to the admins' team first",
      );
    const parameters = {
      isGroup: false,
      bot: reference.bot,
      // Teams opens a personal chat from the person's Entra object id alone.
      members: [{ id: `8:orgid:${userObjectId}`, aadObjectId: userObjectId }],
      tenantId,
      channelData: { tenant: { id: tenantId } },
    } as unknown as ConversationParameters;
    let failure: unknown;
    await adapter.createConversationAsync(
      botAppId,
      reference.channelId ?? "msteams",
      reference.serviceUrl,
      // The connector factory picks the cloud's default audience when none is given.
      undefined as unknown as string,
      parameters,
      async (context: TurnContext) => {
        // Errors inside the turn would otherwise go to onTurnError; keep them to report the outcome.
        try {
          // Plain text, as welcome emails are: names and titles come from the directory, and as markdown a
          // display name like "[sign in](https://…)" would become a link in the welcome message.
          await context.sendActivity({ type: "message", text, textFormat: "plain" });
        } catch (err) {
          failure = err;
        }
      },
    );
    if (failure) throw failure;
  }
}
