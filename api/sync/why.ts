import { syncSettingsSchema } from "../domain/sync-settings.ts";
import type { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import type { ConnectionDoc, ProfileDoc, TaskRecordDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { type GraphUser, graphUserSchema } from "./graph-types.ts";
import { mapUser, missingRequired, userSelect } from "./mapping.ts";
import { userScopeVerdict } from "./scope.ts";

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
  const lastRecord = await withOutcome(store, tenantId, records.items[0]);
  const connections = (await store.connections.all(tenantId)).filter(
    (c) => c.status === "active" && c.kind !== "scim",
  );
  const checks: WhyAnswer["checks"] = [];
  for (const connection of connections)
    checks.push(await checkConnection(connection, key, graphFor, profile?.connectionId === connection.id));

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

/**
 * A record the deletion guard held back says "waiting for an admin to confirm"; once the halted task was
 * cancelled (or confirmed) that is no longer true, and the answer says what happened instead.
 */
async function withOutcome(
  store: Store,
  tenantId: string,
  record: TaskRecordDoc | undefined,
): Promise<TaskRecordDoc | undefined> {
  if (!record || (record.action !== "pending-delete" && record.action !== "pending-deactivate"))
    return record;
  const task = await store.tasks.get(tenantId, record.taskId);
  if (task?.status === "halted") return record;
  const held = (record.reason ?? "").replace(/; waiting for an admin to confirm$/, "");
  const removal = record.action === "pending-delete" ? "deletion" : "deactivation";
  const outcome =
    task?.status === "cancelled"
      ? `an admin cancelled that sync, so the ${removal} never happened`
      : `that sync ended ${task?.status ?? "long ago"} without this ${removal}`;
  return { ...record, reason: `${held}; the deletion guard held this back and ${outcome}` };
}

/**
 * Entra users who could answer to this address: by mail, UPN, any proxy address and other mails, the same
 * places the email fallback chain reads (a user whose email comes from proxyAddresses is found by it).
 */
async function usersByAddress(graph: GraphApi, select: string, address: string): Promise<GraphUser[]> {
  const a = odata(address);
  const filter = `mail eq '${a}' or userPrincipalName eq '${a}' or proxyAddresses/any(p:p eq 'smtp:${a}') or otherMails/any(m:m eq '${a}')`;
  const found = await graph.get<{ value: unknown[] }>(
    `/users?$select=${select}&$filter=${encodeURIComponent(filter)}`,
  );
  return found.value.flatMap((v) => {
    const parsed = graphUserSchema.safeParse(v);
    return parsed.success ? [parsed.data] : [];
  });
}

async function checkConnection(
  connection: ConnectionDoc,
  who: string,
  graphFor: (c: ConnectionDoc) => Promise<GraphApi>,
  holdsProfile: boolean,
): Promise<WhyAnswer["checks"][number]> {
  const base = { connectionId: connection.id, connectionName: connection.name };
  const settings = syncSettingsSchema.parse(connection.settings);
  try {
    const graph = await graphFor(connection);
    const select = [...new Set([...userSelect(settings), "proxyAddresses", "otherMails"])].join(",");
    const candidates = await usersByAddress(graph, select, who);
    const mappedEmail = (u: GraphUser) => mapUser(u, settings, new Set()).email?.toLowerCase();
    // The person whose own email or UPN this is comes first; an alias of someone else only after.
    const user =
      candidates.find((u) => mappedEmail(u) === who || u.userPrincipalName?.toLowerCase() === who) ??
      candidates[0];
    if (!user)
      return {
        ...base,
        inScope: false,
        reasons: [`No user with the email, UPN, proxy address or other mail ${who} exists in Entra ID.`],
      };
    const reasons: string[] = [];
    if (settings.what === "lists") reasons.push("This connection syncs lists only.");
    const mapped = mapUser(user, settings, new Set());
    const whitelist = settings.users.scope === "emails" ? new Set(settings.users.emails) : undefined;
    const verdict = userScopeVerdict(user, settings, mapped.email, whitelist);
    if (!verdict.inScope) reasons.push(`Out of scope: ${verdict.reason}.`);
    if (verdict.inScope && mapped.email) {
      const email = mapped.email.toLowerCase();
      const sameAddress = email === who ? candidates : await usersByAddress(graph, select, email);
      const others = sameAddress.filter(
        (u) =>
          u.id !== user.id &&
          mappedEmail(u) === email &&
          userScopeVerdict(u, settings, email, whitelist).inScope,
      );
      if (others.length > 0)
        reasons.push(
          `Skipped: email ${mapped.email} is also used by ${others.map((u) => u.displayName).join(", ")}; both are skipped until one changes.`,
        );
    }
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
      reasons: reasons.length
        ? reasons
        : [
            holdsProfile
              ? "In scope: the next sync keeps this user."
              : "In scope: the next sync of this connection adds this user.",
          ],
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
