import type { Links } from "../cards/links.ts";
import type { BotLogger, ChatActor, SyncPort } from "../ports.ts";

/** Everything a command needs about who asked and where, with no chat SDK types in it. */
export interface CommandContext {
  tenantId: string;
  actor: ChatActor;
  /** The chat user id (Teams MRI), for `refresh.userIds`. */
  userId: string;
  /** Where the message was typed. */
  scope: "channel" | "personal" | "groupChat";
  sync: SyncPort;
  links: Links;
  logger: BotLogger;
  /** Makes the current channel the tenant's alert channel; the chat glue knows the conversation reference. */
  setAlertChannel(): Promise<{ channelName?: string }>;
}
