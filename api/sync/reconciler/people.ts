import type { RecordAction, RecordStatus } from "../../domain/records.ts";
import type { ProfileDoc, ScimShadow } from "../../store/documents.ts";
import type { WriteContext } from "../context.ts";
import { type MappedUser, missingRequired } from "../mapping.ts";
import { buildProfile, changedFields, fieldChanges } from "../profiles.ts";
import { profileEvent, writeWithEvents } from "./change-events.ts";
import { guestWrite, isEmpty } from "./ownership.ts";
import { removeProfiles } from "./removals.ts";

/**
 * The reconciler's person changes, for sources that hand over one person at a time (SCIM requests). The
 * same building blocks the Graph phases write with: mapping (mapUser), required fields, the profile shape
 * (buildProfile), events before documents (writeWithEvents), soft delete (removeProfiles), task records.
 */

export interface PersonWrite {
  mapped: MappedUser;
  status: Exclude<RecordStatus, "deleted">;
  /** The person's current profile, found by the source's matching rules; absent: a new profile. */
  target?: ProfileDoc;
  /** The source's own copy of the resource, kept with the profile. */
  shadow?: ScimShadow;
  reason: string;
}

export interface PersonResult {
  doc: ProfileDoc;
  action: RecordAction;
}

/** Required fields a person lacks, in the profile's words; a person lacking one is not written. */
export const missingFields = (ctx: WriteContext, mapped: MappedUser) =>
  missingRequired(mapped, ctx.settings.required);

const recordOf = (user: MappedUser, action: RecordAction, reason: string) => ({
  kind: "user" as const,
  sourceId: user.sourceId,
  name: user.displayName,
  ...(user.email ? { email: user.email } : {}),
  ...(user.upn ? { upn: user.upn } : {}),
  action,
  reason,
});

/** Records a person left out, with the reason, as the Graph phases do. */
export function skipPerson(ctx: WriteContext, mapped: MappedUser, reason: string): void {
  ctx.reporter.record(recordOf(mapped, "skipped", reason));
}

/**
 * Creates, restores, updates, deactivates or reactivates one person's profile. A profile another
 * connection owns (a Graph connection pulling the same person) is never duplicated: this write fills only
 * the fields the owner leaves empty, and `fieldOwners` says who wrote which. Status belongs to the owner.
 */
export async function writePerson(ctx: WriteContext, write: PersonWrite): Promise<PersonResult> {
  const { mapped, target, shadow } = write;
  const now = ctx.now().toISOString();
  if (target && target.connectionId !== ctx.connection.id) return guest(ctx, write, target, now);
  const built = buildProfile(target, mapped, write.status, ctx.connection, ctx.taskId, now);
  const doc: ProfileDoc = {
    ...built,
    ...(shadow ? { scim: shadow } : {}),
    // Written by more than one connection from now on, perhaps: say whose the fields are from the start.
    fieldOwners: built.fieldOwners ?? ownersOf(built, ctx.connection.id),
  };
  delete doc.deletedAt;
  delete doc.purgeAfter;
  let action: RecordAction;
  let event: Parameters<typeof profileEvent>[0] | undefined;
  if (!target) [action, event] = ["created", "profile.created"];
  else if (target.status === "deleted") [action, event] = ["restored", "profile.restored"];
  else if (target.status === "active" && doc.status === "inactive")
    [action, event] = ["deactivated", "profile.deactivated"];
  else if (target.status === "inactive" && doc.status === "active")
    [action, event] = ["updated", "profile.reactivated"];
  else if (changedFields(target, doc).length > 0) [action, event] = ["updated", "profile.updated"];
  else action = "unchanged";
  const changes =
    target && action === "updated"
      ? { changedFields: changedFields(target, doc), changes: fieldChanges(target, doc) }
      : {};
  ctx.reporter.record({ ...recordOf(mapped, action, write.reason), ...changes });
  await writeWithEvents(ctx, event ? [profileEvent(event, doc, target)] : [], () =>
    ctx.store.profiles.upsert(doc).then(() => undefined),
  );
  return { doc, action };
}

function ownersOf(doc: ProfileDoc, connectionId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.fields)) if (!isEmpty(v)) out[k] = connectionId;
  return out;
}

async function guest(
  ctx: WriteContext,
  write: PersonWrite,
  target: ProfileDoc,
  now: string,
): Promise<PersonResult> {
  const filled = guestWrite(target, write.mapped.fields, ctx.connection.id);
  const doc: ProfileDoc = {
    ...target,
    fields: filled.fields,
    fieldOwners: filled.fieldOwners,
    ...(write.shadow ? { scim: write.shadow } : {}),
    updatedAt: now,
  };
  const changed = changedFields(target, doc);
  const action: RecordAction = changed.length > 0 ? "updated" : "unchanged";
  ctx.reporter.record({
    ...recordOf(
      write.mapped,
      action,
      `${write.reason}; the profile belongs to another connection, which owns the fields it fills`,
    ),
    ...(changed.length > 0 ? { changedFields: changed, changes: fieldChanges(target, doc) } : {}),
  });
  await writeGuest(ctx, target, doc, changed.length > 0);
  return { doc, action };
}

/** A guest connection's write of a profile it does not own: events first, as every profile write. */
async function writeGuest(ctx: WriteContext, target: ProfileDoc, doc: ProfileDoc, changed: boolean) {
  await writeWithEvents(ctx, changed ? [profileEvent("profile.updated", doc, target)] : [], () =>
    ctx.store.profiles.upsert(doc).then(() => undefined),
  );
}

/**
 * A connection stops writing a profile another connection owns (its SCIM client deleted the person): the
 * profile stays with its owner; the fields only this connection filled are emptied and its SCIM copy goes.
 */
export async function leavePerson(ctx: WriteContext, target: ProfileDoc, reason: string): Promise<void> {
  const held = Object.entries(target.fieldOwners ?? {}).filter(([, c]) => c === ctx.connection.id);
  const left = guestWrite(target, Object.fromEntries(held.map(([k]) => [k, null])), ctx.connection.id);
  const { scim: _gone, ...kept } = target;
  const doc: ProfileDoc = {
    ...kept,
    fields: left.fields,
    fieldOwners: left.fieldOwners,
    updatedAt: ctx.now().toISOString(),
  };
  const changed = changedFields(target, doc);
  ctx.reporter.record({
    kind: "user",
    sourceId: target.sourceId,
    name: target.displayName,
    ...(target.emailKey ? { email: target.emailKey } : {}),
    ...(target.upnKey ? { upn: target.upnKey } : {}),
    action: "updated",
    reason,
    changedFields: ["connection", ...changed],
    ...(changed.length > 0 ? { changes: fieldChanges(target, doc) } : {}),
  });
  await writeGuest(ctx, target, doc, changed.length > 0);
}

/** Soft-deletes a profile (restorable for the retention window), with its record and event. */
export async function deletePerson(ctx: WriteContext, doc: ProfileDoc, reason: string): Promise<void> {
  ctx.reporter.record({
    kind: "user",
    sourceId: doc.sourceId,
    name: doc.displayName,
    ...(doc.emailKey ? { email: doc.emailKey } : {}),
    ...(doc.upnKey ? { upn: doc.upnKey } : {}),
    action: "deleted",
    reason,
  });
  await ctx.reporter.flushRecords(true);
  await removeProfiles(ctx, [
    { kind: "user", id: doc.id, sourceId: doc.sourceId, name: doc.displayName, action: "deleted", reason },
  ]);
}
