import { type AdaptiveCard, adaptiveCard, execute, heading, plain, text } from "./card.ts";

/** Answer to an install or to "set channel": where alerts go now, and how to move them. */
export function welcomeCard(options: {
  channelName?: string;
  /** Alerts already go elsewhere (another team or channel). */
  existingElsewhere?: string;
  personal: boolean;
}): AdaptiveCard {
  const here = options.channelName ? `the ${plain(options.channelName)} channel` : "this channel";
  const where = options.existingElsewhere
    ? `Sync alerts keep going to ${plain(options.existingElsewhere)}. To post them here instead, say **set channel** in the channel you want.`
    : options.personal
      ? "Until I'm added to a team, I'll post sync alerts in this chat. Add me to a team and say **set channel** in the admin channel to post there."
      : `I'll post sync results, failures and reauthorization alerts in ${here}. To use another channel, mention me there and say **set channel**.`;
  return adaptiveCard(
    [
      heading("Directory Sync is here"),
      text("I keep your app's directory in step with Microsoft Entra ID and tell you how each sync went."),
      text(where),
    ],
    { actions: [execute("Show commands", "run", { command: "help" })] },
  );
}

export function channelSetCard(channelName: string | undefined): AdaptiveCard {
  return adaptiveCard([
    heading("Alerts will be posted here", "Good"),
    text(
      `From now on, sync results, failures and reauthorization alerts go to ${channelName ? `the ${plain(channelName)} channel` : "this channel"}.`,
    ),
  ]);
}
