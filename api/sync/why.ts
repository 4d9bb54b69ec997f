import type { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import type { ConnectionDoc, ProfileDoc, TaskRecordDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { graphUserSchema } from "./graph-types.ts";
import { mapUser, missingRequired, userSelect } from "./mapping.ts";
import { userScopeVerdict } from "./scope.ts";
import { syncSettingsSchema } from "./settings.ts";

export interface WhyAnswer {
  who: string;
  synced: boolean;
  verdict: string;
  profile?: Pick<ProfileDoc, "id" | "displayName" | "status" | "connectionId" | "updatedAt" | "deletedAt">;
  lastRecord?: Pick<TaskRecordDoc, "taskId" | "action" | "reason" | "at" | "changedFields">;
  /** What each active connection's current settings say about this user, checked live in Entra ID. */
  checks: { connectionId: string; connectionName: string; inScope: boolean; reasons: string[] }[];
}

/**
 * Answers "why is this user (not) synced?" for an email or UPN: the profile if any, the last thing a task
 * did to the user and why, and a live check of each active connection's scope against Entra ID.
 */
export async function explainUser(
  store: Store,
  tenantId: string,
  who: string,
  graphFor: (c: ConnectionDoc) => Promise<GraphApi>,
): Promise<WhyAnswer> {
  const key = who.trim().toLowerCase();
  const whoParam = [{ name: "@w", value: key }];
  const [profile] = await store.profiles.all(tenantId, {
    where: "c.emailKey = @w OR c.upnKey = @w",
    parameters: whoParam,
  });
  const records = await store.taskRecords.page(
    tenantId,
    { where: "ARRAY_CONTAINS(c.keys, @w)", parameters: whoParam, orderBy: "c.at DESC" },
    { pageSize: 1 },
  );
  const lastRecord = records.items[0];
  const connections = (await store.connections.all(tenantId)).filter(
    (c) => c.status === "active" && c.kind !== "scim",
  );
  const checks: WhyAnswer["checks"] = [];
  for (const connection of connections) checks.push(await checkConnection(connection, key, graphFor));

  const synced = profile !== undefined && profile.status !== "deleted";
  const verdict = synced
    ? `${profile.displayName} is synced (${profile.status}).`
    : lastRecord?.reason
      ? `Not synced: ${lastRecord.reason}.`
      : (checks.find((c) => !c.inScope)?.reasons[0] ?? "Not synced: no sync has seen this user yet.");
  return {
    who,
    synced,
    verdict,
    ...(profile
      ? {
          profile: {
            id: profile.id,
            displayName: profile.displayName,
            status: profile.status,
            connectionId: profile.connectionId,
            updatedAt: profile.updatedAt,
            ...(profile.deletedAt ? { deletedAt: profile.deletedAt } : {}),
          },
        }
      : {}),
    ...(lastRecord
      ? {
          lastRecord: {
            taskId: lastRecord.taskId,
            action: lastRecord.action,
            at: lastRecord.at,
            ...(lastRecord.reason ? { reason: lastRecord.reason } : {}),
            ...(lastRecord.changedFields ? { changedFields: lastRecord.changedFields } : {}),
          },
        }
      : {}),
    checks,
  };
}

async function checkConnection(
  connection: ConnectionDoc,
  who: string,
  graphFor: (c: ConnectionDoc) => Promise<GraphApi>,
): Promise<WhyAnswer["checks"][number]> {
  const base = { connectionId: connection.id, connectionName: connection.name };
  const settings = syncSettingsSchema.parse(connection.settings);
  try {
    const graph = await graphFor(connection);
    const select = userSelect(settings).join(",");
    const found = await graph.get<{ value: unknown[] }>(
      `/users?$select=${select}&$filter=${encodeURIComponent(`mail eq '${odata(who)}' or userPrincipalName eq '${odata(who)}'`)}`,
    );
    const parsed = graphUserSchema.safeParse(found.value[0]);
    if (!parsed.success)
      return { ...base, inScope: false, reasons: [`No user with email or UPN ${who} exists in Entra ID.`] };
    const user = parsed.data;
    const reasons: string[] = [];
    if (settings.what === "lists") reasons.push("This connection syncs lists only.");
    const mapped = mapUser(user, settings, new Set());
    const verdict = userScopeVerdict(
      user,
      settings,
      mapped.email,
      settings.users.scope === "emails" ? new Set(settings.users.emails) : undefined,
    );
    if (!verdict.inScope) reasons.push(`Out of scope: ${verdict.reason}.`);
    if (settings.users.scope === "groups") {
      const groups = await graph.get<{ value: { id: string }[] }>(
        `/users/${user.id}/transitiveMemberOf?$select=id&$top=999`,
      );
      const member = groups.value.some((g) => settings.users.groupIds.includes(g.id.toLowerCase()));
      if (!member)
        reasons.push(
          "Out of scope: not a member (directly or through nested groups) of the selected groups.",
        );
    }
    const missing = missingRequired(mapped, settings.required);
    if (missing.length > 0) reasons.push(`Skipped: missing required ${missing.join(", ")}.`);
    return {
      ...base,
      inScope: reasons.length === 0,
      reasons: reasons.length ? reasons : ["In scope: the next sync keeps this user."],
    };
  } catch (err) {
    const message = isDirectoryProblem(err)
      ? `${err.message} ${err.remedy}`
      : "Entra ID could not be asked right now.";
    return { ...base, inScope: false, reasons: [`Could not check: ${message}`] };
  }
}

/** Escapes a value for a single-quoted OData string literal. */
const odata = (value: string) => value.replace(/'/g, "''");
