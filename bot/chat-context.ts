import {
  type Activity,
  TurnContext as Turn,
  type TurnContext,
  teamsGetChannelId,
  teamsGetTeamInfo,
} from "botbuilder";
import type { Actor } from "../api/store/documents.ts";
import type { ChatTarget } from "./conversations.ts";

/** Reads who and where from a Teams activity; the only place that knows the Teams channelData shape. */
export function tenantOf(activity: Activity): string | undefined {
  return (
    activity.conversation?.tenantId ??
    (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
    undefined
  );
}

export function actorOf(activity: Activity): Actor {
  return { oid: activity.from?.aadObjectId ?? "", name: activity.from?.name ?? "someone" };
}

export function scopeOf(activity: Activity): "channel" | "personal" | "groupChat" {
  const type = activity.conversation?.conversationType;
  if (type === "channel" || teamsGetTeamInfo(activity)?.id) return "channel";
  return type === "groupChat" ? "groupChat" : "personal";
}

/** Where to post later. In a channel the reference points at the channel itself, not the thread typed in. */
export function targetOf(context: TurnContext, installedBy?: Actor): ChatTarget {
  const activity = context.activity;
  const reference = Turn.getConversationReference(activity) as Record<string, unknown> & {
    conversation: { id: string };
  };
  const team = teamsGetTeamInfo(activity);
  if (!team?.id) return { reference, ...(installedBy ? { installedBy } : {}) };
  const channelId = teamsGetChannelId(activity) ?? reference.conversation.id.split(";")[0];
  const channel = (activity.channelData as { channel?: { name?: string } } | undefined)?.channel;
  const channelName = channel?.name ?? (channelId === team.id ? "General" : undefined);
  return {
    reference: {
      ...reference,
      conversation: { ...reference.conversation, id: channelId },
      activityId: undefined,
    },
    teamId: team.id,
    channelId,
    ...(channelName ? { channelName } : {}),
    ...(team.name ? { teamName: team.name } : {}),
    ...(installedBy ? { installedBy } : {}),
  };
}
