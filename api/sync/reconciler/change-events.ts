import type { PublicMembership } from "../../contract/directory-v1.ts";
import type { DirectoryEventType } from "../../domain/event-types.ts";
import type { PlannedEvent } from "../../feed/change-feed.ts";
import { publicList, publicMembership, publicProfile } from "../../feed/public-shapes.ts";
import type { ListDoc, MembershipDoc, ProfileDoc } from "../../store/documents.ts";
import type { WriteContext } from "../context.ts";
import { memberProfileIds } from "../member-profiles.ts";
import { hasAdoptedProfiles, profileId } from "../profiles.ts";

/**
 * The engine's one way to write directory documents: the task's records of what it did and the change
 * feed's events for them (see api/feed/change-feed.ts) go first, side by side, so no change reaches the
 * directory without its record and its event. A preview writes only the records, and an engine run without
 * a feed (events switched off) writes the records, then the documents.
 */
export async function writeWithEvents(
  ctx: WriteContext,
  events: PlannedEvent[],
  write: () => Promise<void>,
): Promise<void> {
  if (ctx.preview) return ctx.reporter.flushRecords(true);
  if (!ctx.feed || events.length === 0) {
    await ctx.reporter.flushRecords(true);
    return write();
  }
  await nameMemberProfiles(ctx, events);
  const recorded = ctx.reporter.flushRecords(true);
  const written = ctx.feed.write(
    ctx.connection.tenantId,
    ctx.feedOwner ?? ctx.taskId,
    { taskId: ctx.taskId, trigger: ctx.reporter.task.trigger },
    events,
    async () => {
      await recorded;
      await write();
    },
  );
  // Both settle before the run goes on, so a failed event write never leaves the records' write in flight.
  const [records, documents] = await Promise.allSettled([recorded, written]);
  if (documents.status === "rejected") throw documents.reason;
  if (records.status === "rejected") throw records.reason;
}

/** Per run: whether the connection holds adopted profiles (see nameMemberProfiles). */
const adoptedByRun = new WeakMap<WriteContext, Promise<boolean>>();

/**
 * Membership events are planned with the profile id the sync derives; members whose profile was adopted
 * (update-only matching, or taken over from an earlier connection) get their real profile's id here. Only
 * this connection's own runs adopt profiles for it, and a run writes its profiles before any membership, so
 * a connection without adopted profiles at its run's first membership has none for the rest of the run, and
 * its memberships need no lookup at all.
 */
async function nameMemberProfiles(ctx: WriteContext, events: PlannedEvent[]): Promise<void> {
  const memberships = events.filter((e) => e.object.kind === "membership");
  if (memberships.length === 0) return;
  let adopted = adoptedByRun.get(ctx);
  if (!adopted) {
    // A push connection's members may be profiles another connection owns (one person, one profile).
    adopted =
      ctx.settings.updateOnly || ctx.connection.kind === "scim"
        ? Promise.resolve(true)
        : hasAdoptedProfiles(ctx.store, ctx.connection.tenantId, ctx.connection.id);
    adoptedByRun.set(ctx, adopted);
  }
  if (!(await adopted)) return;
  const data = memberships.map((e) => e.data as PublicMembership);
  const ids = await memberProfileIds(
    ctx.store,
    ctx.connection.tenantId,
    ctx.connection.id,
    data.map((d) => d.memberEntraObjectId),
  );
  for (const d of data) d.profileId = ids.get(d.memberEntraObjectId) ?? d.profileId;
}

export function profileEvent(
  eventType: Extract<DirectoryEventType, `profile.${string}`>,
  doc: ProfileDoc,
  before?: ProfileDoc,
): PlannedEvent {
  const changes = before ? profileChanges(before, doc) : undefined;
  return {
    eventType,
    object: { kind: "profile", id: doc.id },
    data: publicProfile(doc),
    ...(changes && Object.keys(changes).length > 0 ? { changes } : {}),
    connectionId: doc.connectionId,
    expect: { container: "profiles", id: doc.id, present: true },
    doc,
  };
}

export function listEvent(
  eventType: Extract<DirectoryEventType, `list.${string}`>,
  doc: ListDoc,
  before?: ListBefore,
): PlannedEvent {
  const changes = before ? listChangesOf(before, doc) : undefined;
  return {
    eventType,
    object: { kind: "list", id: doc.id },
    data: publicList(doc),
    ...(changes && Object.keys(changes).length > 0 ? { changes } : {}),
    connectionId: doc.connectionId,
    expect: { container: "lists", id: doc.id, present: true },
    doc,
  };
}

type ListBefore = Pick<ListDoc, "name" | "description" | "mail" | "groupTypes" | "status"> & {
  memberCount?: number;
};

/** An edge added (the document is written with the event's number) or removed (the document is deleted). */
export function membershipEvent(
  eventType: "membership.added" | "membership.removed",
  edge: Pick<MembershipDoc, "id" | "connectionId" | "listId" | "listSourceId" | "memberSourceId"> & {
    changeSeq?: number;
  },
): PlannedEvent {
  return {
    eventType,
    object: { kind: "membership", id: edge.id },
    data: publicMembership(edge, profileId(edge.connectionId, edge.memberSourceId)),
    connectionId: edge.connectionId,
    expect: { container: "memberships", id: edge.id, present: eventType === "membership.added" },
    ...(eventType === "membership.added" ? { doc: edge } : {}),
  };
}

/** Each changed field's old and new value, as a consumer reads them. */
function profileChanges(
  before: ProfileDoc,
  after: ProfileDoc,
): Record<string, { from: unknown; to: unknown }> {
  const a = publicProfile(before);
  const b = publicProfile(after);
  const out: Record<string, { from: unknown; to: unknown }> = {};
  const same = (x: unknown, y: unknown) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
  for (const k of new Set([...Object.keys(a.fields), ...Object.keys(b.fields)]))
    if (!same(a.fields[k], b.fields[k]))
      out[`fields.${k}`] = { from: a.fields[k] ?? null, to: b.fields[k] ?? null };
  for (const k of new Set([...Object.keys(a.attributes), ...Object.keys(b.attributes)]))
    if (!same(a.attributes[k], b.attributes[k]))
      out[`attributes.${k}`] = { from: a.attributes[k] ?? null, to: b.attributes[k] ?? null };
  for (const k of ["status", "displayName", "hasPhoto", "deletedAt"] as const)
    if (!same(a[k], b[k])) out[k] = { from: a[k], to: b[k] };
  return out;
}

function listChangesOf(before: ListBefore, after: ListDoc): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of ["name", "description", "mail", "groupTypes", "memberCount", "status"] as const)
    if (JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null))
      out[k] = { from: before[k] ?? null, to: after[k] ?? null };
  return out;
}
