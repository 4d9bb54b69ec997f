import {
  type Activity,
  TurnContext as Turn,
  type TurnContext,
  teamsGetChannelId,
  teamsGetTeamInfo,
} from "botbuilder";
import type { ChatTarget } from "./conversations.ts";
import type { ChatActor } from "./ports.ts";

// Reads who and where from a Teams activity; the only place that knows the Teams channelData shape.

export type TenantOfActivity =
  | { ok: true; tenantId: string }
  | {
      ok: false;
      reason: "missing" | "mismatch";
      conversationTenantId?: string;
      channelDataTenantId?: string;
    };

/**
 * The tenant a Teams activity belongs to. Teams stamps it into channelData.tenant.id and into
 * conversation.tenantId; an activity lacking either, or carrying two different ones, was not shaped by
 * Teams and names no tenant we could trust.
 */
export function tenantOf(activity: Activity): TenantOfActivity {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const fromConversation = activity.conversation?.tenantId;
  const channelDataTenantId = typeof fromChannelData === "string" ? fromChannelData.trim() : "";
  const conversationTenantId = typeof fromConversation === "string" ? fromConversation.trim() : "";
  // What was seen, for the log; cut short since a forged activity may carry anything there.
  const seen = {
    ...(conversationTenantId ? { conversationTenantId: conversationTenantId.slice(0, 64) } : {}),
    ...(channelDataTenantId ? { channelDataTenantId: channelDataTenantId.slice(0, 64) } : {}),
  };
  if (!channelDataTenantId || !conversationTenantId) return { ok: false, reason: "missing", ...seen };
  if (channelDataTenantId.toLowerCase() !== conversationTenantId.toLowerCase())
    return { ok: false, reason: "mismatch", ...seen };
  // Lower case, as tenant ids from validated tokens are: the tenant is the partition key of every document.
  return { ok: true, tenantId: channelDataTenantId.toLowerCase() };
}

export function actorOf(activity: Activity): ChatActor {
  return { oid: activity.from?.aadObjectId ?? "", name: activity.from?.name ?? "someone" };
}

export function scopeOf(activity: Activity): "channel" | "personal" | "groupChat" {
  const type = activity.conversation?.conversationType;
  if (type === "channel" || teamsGetTeamInfo(activity)?.id) return "channel";
  return type === "groupChat" ? "groupChat" : "personal";
}

/** Where to post later. In a channel the reference points at the channel itself, not the thread typed in. */
export function targetOf(context: TurnContext, installedBy?: ChatActor): ChatTarget {
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
