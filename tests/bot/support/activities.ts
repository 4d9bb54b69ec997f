import type { Activity } from "botbuilder";
import type { AdaptiveCard } from "../../../bot/cards/card.ts";
import { ADMIN_CHANNEL_ID, TEAM_ID, TENANT } from "./fixtures.ts";

export interface Person {
  oid: string;
  name: string;
  mri: string;
}

const BOT = { id: "28:directory-sync-bot", name: "Directory Sync" };

type Where = "channel" | "personal";

function conversation(where: Where, person: Person, thread = "1700000000000") {
  return where === "channel"
    ? {
        conversation: {
          id: `${ADMIN_CHANNEL_ID};messageid=${thread}`,
          conversationType: "channel",
          isGroup: true,
          tenantId: TENANT,
        },
        channelData: {
          tenant: { id: TENANT },
          team: { id: TEAM_ID, name: "Contoso IT" },
          channel: { id: ADMIN_CHANNEL_ID, name: "Directory sync admins" },
        },
      }
    : {
        conversation: { id: `a:personal-${person.oid}`, conversationType: "personal", tenantId: TENANT },
        channelData: { tenant: { id: TENANT } },
      };
}

/** A Teams message as the connector delivers it (mention included in channels). */
export function message(text: string, person: Person, where: Where = "channel"): Partial<Activity> {
  return {
    type: "message",
    channelId: "msteams",
    serviceUrl: "https://smba.example.test/emea/",
    from: { id: person.mri, name: person.name, aadObjectId: person.oid },
    recipient: BOT,
    text: where === "channel" ? `<at>${BOT.name}</at> ${text}` : text,
    ...conversation(where, person),
  } as Partial<Activity>;
}

/** An Action.Execute click on a card posted as message `replyToId`. */
export function cardAction(
  verb: string,
  data: Record<string, unknown>,
  person: Person,
  replyToId = "card-message-1",
): Partial<Activity> {
  return {
    type: "invoke",
    name: "adaptiveCard/action",
    channelId: "msteams",
    serviceUrl: "https://smba.example.test/emea/",
    from: { id: person.mri, name: person.name, aadObjectId: person.oid },
    recipient: BOT,
    replyToId,
    value: { action: { type: "Action.Execute", verb, data }, trigger: "manual" },
    ...conversation("channel", person),
  } as Partial<Activity>;
}

/** installationUpdate into a team (the bot lands in the channel it was added from) or a personal chat. */
export function installation(
  action: "add" | "add-upgrade" | "remove",
  options: { teamId?: string; channelId?: string; channelName?: string; serviceUrl?: string; person: Person },
): Partial<Activity> {
  const { person } = options;
  const teamId = options.teamId;
  const base = {
    type: "installationUpdate",
    action,
    channelId: "msteams",
    serviceUrl: options.serviceUrl ?? "https://smba.example.test/emea/",
    from: { id: person.mri, name: person.name, aadObjectId: person.oid },
    recipient: BOT,
  };
  if (!teamId)
    return {
      ...base,
      conversation: { id: `a:personal-${person.oid}`, conversationType: "personal", tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
    } as Partial<Activity>;
  const channelId = options.channelId ?? teamId;
  return {
    ...base,
    conversation: { id: channelId, conversationType: "channel", isGroup: true, tenantId: TENANT },
    channelData: {
      tenant: { id: TENANT },
      team: { id: teamId, name: "Contoso IT" },
      channel: { id: channelId, ...(options.channelName ? { name: options.channelName } : {}) },
      settings: { selectedChannel: { id: channelId } },
    },
  } as Partial<Activity>;
}

export function cardOf(activity: Partial<Activity>): AdaptiveCard {
  const attachment = activity.attachments?.[0];
  if (attachment?.contentType !== "application/vnd.microsoft.card.adaptive")
    throw new Error(`expected an Adaptive Card reply, got ${JSON.stringify(activity).slice(0, 300)}`);
  return attachment.content as AdaptiveCard;
}

export const textOf = (card: AdaptiveCard) => JSON.stringify(card);
