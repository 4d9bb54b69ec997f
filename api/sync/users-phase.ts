import type { ProfileDoc } from "../store/documents.ts";
import { inheritance } from "./adoption.ts";
import type { Removal, RunContext } from "./context.ts";
import { EmailTally } from "./email-tally.ts";
import { IdSet } from "./id-set.ts";
import { type MappedUser, mapUser, missingRequired } from "./mapping.ts";
import { attachPhotos, checkPhotos, photoChanged } from "./photos.ts";
import { ProfileLedger, withNames } from "./profile-ledger.ts";
import {
  buildProfile,
  changedFields,
  fieldChanges,
  loadProfileIndex,
  loadProfiles,
  type ProfileIndexEntry,
  profileHash,
} from "./profiles.ts";
import { readScopedUsers } from "./reader.ts";
import { profileEvent, writeWithEvents } from "./reconciler/change-events.ts";
import { userScopeVerdict } from "./scope.ts";
import { type SpilledUser, UserSpill } from "./user-spill.ts";

export interface UsersOutcome {
  /** Source ids of this connection's profiles that stay (active or inactive) after the run. */
  remaining: IdSet;
  removals: Removal[];
  /** Profiles of this connection not deleted before the run: the deletion guard's base. */
  population: number;
  valid: number;
  skipped: number;
  skipSummary: Map<string, number>;
}

/**
 * Users per write window: one bulk write, one batch of photo checks, one flush of records. Five of the store's
 * 100-document batches go at once (100k: users written in 24 s instead of 27 s).
 */
const CHUNK = 500;
/** Users per window when the spilled read is scanned for skips, without writing. */
const SCAN_WINDOW = 1000;
/** Leaving profiles read in full at a time, to name them in their removal. */
const NAMING_WINDOW = 1000;

/**
 * A full read of the users in scope, then their writes in windows of 100. What has to be remembered
 * across the whole run is kept compact: the read users wait on local disk (UserSpill), stored profiles
 * are packed strings (ProfileLedger), emails are digests (EmailTally), and otherwise only Entra ids.
 */
export async function syncUsers(ctx: RunContext, readDone?: () => void): Promise<UsersOutcome> {
  const spill = await UserSpill.open();
  try {
    return await syncUsersVia(ctx, spill, readDone);
  } finally {
    await spill.close();
  }
}

/** `readDone` is told when every user was read: from then on this phase hardly asks Graph anything. */
async function syncUsersVia(ctx: RunContext, spill: UserSpill, readDone?: () => void): Promise<UsersOutcome> {
  const { settings, reporter } = ctx;
  const ledger = await ProfileLedger.load(ctx.store, ctx.connection.tenantId, ctx.connection.id, ctx.taskId);
  const whitelist = settings.users.scope === "emails" ? new Set(settings.users.emails) : undefined;

  // Read everything in scope first: nothing is written or removed until the read is complete.
  const candidates = new IdSet();
  /** Left out by the client-side scope, with why (the same few reasons, shared rather than copied). */
  const excluded = new Map<string, string>();
  const reasons = new Map<string, string>();
  const emails = new EmailTally();
  // Objects Graph returned in a shape this product cannot read are unknown, not gone: never removed.
  const unreadable = new Set<string>();
  await reporter.phase("reading users");
  for await (const page of readScopedUsers(ctx.graph, settings)) {
    for (const bad of page.malformed) unreadable.add(bad.id);
    for (const bad of page.malformed)
      reporter.record({ kind: "user", sourceId: bad.id, name: bad.id, action: "error", reason: bad.problem });
    const read: SpilledUser[] = [];
    for (const user of page.users) {
      if (candidates.has(user.id) || excluded.has(user.id)) continue;
      const mapped = mapUser(user, settings, ctx.definedAttributes);
      const verdict = userScopeVerdict(user, settings, mapped.email, whitelist);
      if (verdict.inScope) {
        candidates.add(user.id);
        emails.add(mapped.email);
        read.push({ user: mapped });
      } else {
        const reason = reasons.get(verdict.reason) ?? verdict.reason;
        reasons.set(reason, reason);
        excluded.set(user.id, reason);
        read.push({ user: mapped, excluded: reason });
      }
    }
    await spill.append(read);
    reporter.task.progress.total = Math.max(
      reporter.task.progress.total ?? 0,
      candidates.size + excluded.size,
    );
    await reporter.save();
  }
  readDone?.();

  await reporter.phase("writing users", candidates.size + excluded.size);
  const skipSummary = new Map<string, number>();
  const skip = (user: MappedUser, reason: string, summary: string) => {
    skipSummary.set(summary, (skipSummary.get(summary) ?? 0) + 1);
    reporter.record(recordOf(user, "skipped", reason));
  };
  const inScope = async function* (window: number) {
    for await (const users of spill.windows(window)) yield users.flatMap((u) => (u.excluded ? [] : [u.user]));
  };

  const invalid = new Set<string>();
  if (emails.anyShared) {
    for (const [email, users] of await duplicatesByEmail(inScope(SCAN_WINDOW), emails)) {
      for (const user of users) {
        const others = users.filter((u) => u !== user).map((u) => u.displayName);
        skip(
          user,
          `email ${email} is also used by ${others.join(", ")}; both are skipped until one changes`,
          "duplicate email",
        );
        invalid.add(user.sourceId);
      }
      await reporter.flushRecords();
    }
  }
  for await (const users of inScope(SCAN_WINDOW)) {
    for (const user of users) {
      if (invalid.has(user.sourceId)) continue;
      const missing = missingRequired(user, settings.required);
      if (missing.length > 0) {
        skip(user, `missing required ${missing.join(", ")}`, `missing ${missing.join(", ")}`);
        invalid.add(user.sourceId);
      }
    }
    await reporter.flushRecords();
  }

  const tenantIndex = settings.updateOnly ? await tenantMatchIndex(ctx) : undefined;
  const remaining = new IdSet();
  const removals: Removal[] = [];
  let valid = 0;
  let window: MappedUser[] = [];
  const write = async () => {
    const entries = ledger.entries(window.map((u) => u.sourceId));
    await writeUsers(ctx, window, entries, tenantIndex, remaining, removals, skip);
    await reporter.save();
    window = [];
  };
  for await (const users of inScope(CHUNK)) {
    for (const user of users) {
      if (invalid.has(user.sourceId)) continue;
      valid += 1;
      window.push(user);
      if (window.length === CHUNK) await write();
    }
  }
  if (window.length > 0) await write();
  if (!ctx.preview) await markAdopted(ctx, ledger);
  // Skipped users that already have a profile keep it: a skip is never a deletion.
  for (const id of [...invalid, ...unreadable]) {
    const status = ledger.status(id);
    if (status && status !== "deleted") remaining.add(id);
  }

  if (settings.mirror) {
    const departing: string[] = [];
    for (const sourceId of ledger.sourceIds())
      if (ledger.status(sourceId) !== "deleted" && !candidates.has(sourceId) && !unreadable.has(sourceId))
        departing.push(sourceId);
    const gone = await departureReasons(
      ctx,
      departing.filter((id) => !excluded.has(id)),
    );
    for (let i = 0; i < departing.length; i += NAMING_WINDOW) {
      const entries = [...ledger.entries(departing.slice(i, i + NAMING_WINDOW)).values()];
      const stored = await loadProfiles(
        ctx.store,
        ctx.connection.tenantId,
        entries.map((e) => e.id),
      );
      for (const entry of entries) {
        const named = withNames(entry, stored.get(entry.id));
        const why =
          excluded.get(entry.sourceId) ??
          gone.get(entry.sourceId) ??
          "no longer in Entra ID or outside the connection's scope";
        if (settings.updateOnly) {
          if (entry.status === "active")
            removals.push(removalOf(named, "deactivated", `update-only: ${why}`));
          remaining.add(entry.sourceId);
        } else {
          removals.push(removalOf(named, "deleted", why));
        }
        excluded.delete(entry.sourceId);
      }
    }
  } else {
    for (const sourceId of ledger.sourceIds())
      if (ledger.status(sourceId) !== "deleted" && !candidates.has(sourceId)) remaining.add(sourceId);
  }
  if (excluded.size > 0) {
    for await (const users of spill.windows(SCAN_WINDOW)) {
      for (const { user } of users) {
        const reason = excluded.get(user.sourceId);
        if (reason === undefined) continue;
        skipSummary.set(reason, (skipSummary.get(reason) ?? 0) + 1);
        reporter.record(recordOf(user, "skipped", reason));
      }
      await reporter.flushRecords();
    }
  }
  await reporter.save(true);

  return {
    remaining,
    removals,
    population: ledger.population,
    valid,
    skipped: invalid.size + excluded.size,
    skipSummary,
  };
}

/** How many leavers a run asks Graph about; beyond that the general reason is given. */
const EXPLAINED_DEPARTURES = 500;

/**
 * Why profiles the read no longer returned are leaving: deleted in Entra ID, or still there but outside the
 * scope (which part of it). One $batch per 20 leavers; a failed answer keeps the general reason.
 */
async function departureReasons(ctx: RunContext, leaving: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const asked = leaving.slice(0, EXPLAINED_DEPARTURES);
  if (asked.length === 0) return out;
  const { users } = ctx.settings;
  const outOfScope =
    users.scope === "groups"
      ? "still in Entra ID, but no longer a member of the selected groups"
      : users.scope === "emails"
        ? "still in Entra ID, but no longer on the connection's email list"
        : users.filter
          ? "still in Entra ID, but no longer matched by the connection's user filter"
          : "still in Entra ID, but outside the connection's scope";
  try {
    const answers = await ctx.graph.batchGet(asked.map((id) => ({ id, url: `/users/${id}?$select=id` })));
    for (const a of answers) {
      if (a.status === 404) out.set(a.id, "deleted in Entra ID");
      else if (a.status === 200) out.set(a.id, outOfScope);
    }
  } catch {
    // The general reason stands; explaining is not worth failing a sync over.
  }
  return out;
}

export async function writeUsers(
  ctx: RunContext,
  users: MappedUser[],
  bySource: Map<string, ProfileIndexEntry>,
  tenantIndex: Map<string, ProfileIndexEntry> | undefined,
  /** Told each profile the run leaves in place. */
  remaining: { add(id: string): unknown },
  removals: Removal[],
  skip: (user: MappedUser, reason: string, summary: string) => void,
): Promise<void> {
  const { reporter, connection, taskId } = ctx;
  const now = ctx.now().toISOString();
  const planned: {
    user: MappedUser;
    entry?: ProfileIndexEntry;
    status: "active" | "inactive";
    hash: string;
  }[] = [];
  const earlier = await inheritance(ctx);
  const inherited = earlier
    ? await earlier.find(users.filter((u) => !bySource.has(u.sourceId)).map((u) => u.sourceId))
    : new Map<string, ProfileIndexEntry>();
  const inheritedFrom = (entry: ProfileIndexEntry) => earlier?.from(entry) ?? "an earlier connection";
  for (const user of users) {
    const entry =
      bySource.get(user.sourceId) ??
      inherited.get(user.sourceId) ??
      (tenantIndex
        ? (tenantIndex.get(user.email?.toLowerCase() ?? "") ?? tenantIndex.get(user.upn?.toLowerCase() ?? ""))
        : undefined);
    if (!entry && ctx.settings.updateOnly) {
      skip(
        user,
        "update-only: no existing profile has this email or UPN",
        "update-only: no matching profile",
      );
      continue;
    }
    const status = user.enabled ? "active" : "inactive";
    const hash = profileHash(user, status);
    if (entry?.lastTaskId === taskId && entry.hash === hash) {
      // Already written by this task before a restart or confirmation: counted from its record.
      remaining.add(user.sourceId);
      reporter.alreadyDone();
      continue;
    }
    planned.push({ user, ...(entry ? { entry } : {}), status, hash });
  }
  const takenOver = (entry: ProfileIndexEntry) => inherited.get(entry.sourceId) === entry;
  const needBefore = planned.flatMap((p) =>
    p.entry && (p.entry.hash !== p.hash || takenOver(p.entry)) ? [p.entry.id] : [],
  );
  const before = await loadProfiles(ctx.store, connection.tenantId, needBefore);
  const writes: ProfileDoc[] = [];
  /** What each write is, for the change feed: read after photos are attached, so snapshots are final. */
  const kinds = new Map<
    ProfileDoc,
    { type: "created" | "restored" | "updated" | "reactivated"; before?: ProfileDoc }
  >();
  const unchanged: { user: MappedUser; entry: ProfileIndexEntry }[] = [];
  for (const { user, entry, status, hash } of planned) {
    remaining.add(user.sourceId);
    if (!entry) {
      const doc = buildProfile(undefined, user, status, connection, taskId, now);
      reporter.record(
        recordOf(
          user,
          "created",
          status === "inactive" ? "new in scope (account disabled: inactive)" : "new in scope",
        ),
      );
      writes.push(doc);
      kinds.set(doc, { type: "created" });
      continue;
    }
    if (entry.hash === hash && entry.status !== "deleted" && !takenOver(entry)) {
      unchanged.push({ user, entry });
      continue;
    }
    const previous = before.get(entry.id);
    const doc = buildProfile(previous, user, status, connection, taskId, now);
    if (takenOver(entry)) {
      // The profile keeps its id, so the application that owns it sees the same person, not a new one.
      const fields = previous ? changedFields(previous, doc) : [];
      reporter.record({
        ...recordOf(
          user,
          entry.status === "deleted" ? "restored" : "updated",
          `taken over from ${inheritedFrom(entry)}`,
        ),
        changedFields: [...fields, "connection"],
      });
      writes.push(doc);
    } else if (entry.status === "deleted") {
      reporter.record(recordOf(user, "restored", "back in scope"));
      writes.push(doc);
      kinds.set(doc, { type: "restored", ...(previous ? { before: previous } : {}) });
    } else if (status === "inactive" && entry.status === "active") {
      removals.push({
        ...removalOf(withNames(entry, previous), "deactivated", "account disabled in Entra ID"),
        replacement: doc,
        ...(previous ? { before: previous } : {}),
      });
    } else {
      const fields = previous ? changedFields(previous, doc) : [];
      reporter.record({
        ...recordOf(user, "updated", "changed in Entra ID"),
        changedFields: fields,
        ...(previous ? { changes: fieldChanges(previous, doc) } : {}),
      });
      writes.push(doc);
      const reactivated = entry.status === "inactive" && status === "active";
      kinds.set(doc, {
        type: reactivated ? "reactivated" : "updated",
        ...(previous ? { before: previous } : {}),
      });
    }
  }
  const photoBefore = new Map<string, ProfileDoc>();
  const photoOnly =
    ctx.settings.photos && !ctx.preview
      ? await newPhotos(ctx, unchanged, now, photoBefore)
      : new Map<string, ProfileDoc>();
  for (const { user } of unchanged) {
    if (!photoOnly.has(user.sourceId)) reporter.record(recordOf(user, "unchanged"));
    else
      reporter.record({
        ...recordOf(user, "updated", "photo changed in Entra ID"),
        changedFields: ["photo"],
      });
  }
  if (ctx.preview || writes.length + photoOnly.size === 0) return reporter.flushRecords(true);
  if (ctx.settings.photos)
    await attachPhotos(ctx.store, ctx.graph, writes, now, await photoCheck(ctx, writes));
  const events = [
    ...writes.map((doc) => {
      const kind = kinds.get(doc) ?? { type: "updated" as const };
      return profileEvent(`profile.${kind.type}`, doc, kind.before);
    }),
    ...[...photoOnly.values()].map((doc) => profileEvent("profile.updated", doc, photoBefore.get(doc.id))),
  ];
  await writeWithEvents(ctx, events, () => ctx.store.profiles.bulkUpsert([...writes, ...photoOnly.values()]));
}

/** Profiles whose properties did not change but whose photo did, with the new photo attached. */
async function newPhotos(
  ctx: RunContext,
  unchanged: { user: MappedUser; entry: ProfileIndexEntry }[],
  now: string,
  /** Filled with each changed profile as it was, by profile id. */
  before: Map<string, ProfileDoc>,
): Promise<Map<string, ProfileDoc>> {
  if (unchanged.length === 0) return new Map();
  const check = await photoCheck(
    ctx,
    unchanged.map((u) => u.entry),
  );
  const stale = unchanged.filter((u) => photoChanged(u.entry.photo, check.etags.get(u.entry.sourceId)));
  const docs = [
    ...(
      await loadProfiles(
        ctx.store,
        ctx.connection.tenantId,
        stale.map((u) => u.entry.id),
      )
    ).values(),
  ];
  for (const doc of docs) before.set(doc.id, structuredClone(doc));
  const updated = docs.map((doc) => ({ ...doc, lastTaskId: ctx.taskId, updatedAt: now }));
  await attachPhotos(ctx.store, ctx.graph, updated, now, check);
  return new Map(updated.map((doc) => [doc.sourceId, doc]));
}

async function photoCheck(ctx: RunContext, profiles: { sourceId: string }[]) {
  const check = await checkPhotos(
    ctx.graph,
    profiles.map((p) => p.sourceId),
  );
  if (check.unreadable > 0)
    ctx.reporter.note(
      "Graph could not describe some users' photos just now; their profiles keep the photo they had, and the next full sync checks again.",
    );
  return check;
}

/**
 * Profiles adopted before adopted profiles were marked get the mark, whatever this run does with them
 * (unchanged, skipped or about to be removed), so incremental runs know to look for them.
 */
async function markAdopted(ctx: RunContext, ledger: ProfileLedger): Promise<void> {
  const { connection, store } = ctx;
  const unmarked = ledger.unmarkedAdoptions();
  if (unmarked.length === 0) return;
  const docs = await loadProfiles(store, connection.tenantId, unmarked);
  const marked = [...docs.values()].filter((d) => !d.adopted).map((d) => ({ ...d, adopted: true as const }));
  await store.profiles.bulkUpsert(marked);
}

/** The users sharing an email with another, by email in the order first read: one scan of the read. */
async function duplicatesByEmail(
  users: AsyncIterable<MappedUser[]>,
  emails: EmailTally,
): Promise<Map<string, MappedUser[]>> {
  const byEmail = new Map<string, MappedUser[]>();
  for await (const window of users) {
    for (const user of window) {
      if (!user.email || !emails.isShared(user.email)) continue;
      const key = user.email.toLowerCase();
      byEmail.set(key, [...(byEmail.get(key) ?? []), user]);
    }
  }
  return new Map([...byEmail].filter(([, shared]) => shared.length > 1));
}

export async function tenantMatchIndex(ctx: RunContext): Promise<Map<string, ProfileIndexEntry>> {
  const map = new Map<string, ProfileIndexEntry>();
  for (const entry of await loadProfileIndex(ctx.store, ctx.connection.tenantId)) {
    // Profiles another Entra connection owns are that connection's business.
    const ownedElsewhere = entry.source === "entra" && entry.connectionId !== ctx.connection.id;
    if (entry.status === "deleted" || ownedElsewhere) continue;
    if (entry.upnKey) map.set(entry.upnKey, entry);
    if (entry.emailKey) map.set(entry.emailKey, entry);
  }
  return map;
}

export const recordOf = (
  user: MappedUser,
  action: "created" | "updated" | "unchanged" | "restored" | "skipped",
  reason?: string,
) => ({
  kind: "user" as const,
  sourceId: user.sourceId,
  name: user.displayName,
  ...(user.email ? { email: user.email } : {}),
  ...(user.upn ? { upn: user.upn } : {}),
  action,
  ...(reason ? { reason } : {}),
});

export const removalOf = (entry: ProfileIndexEntry, action: Removal["action"], reason: string): Removal => ({
  kind: "user",
  id: entry.id,
  sourceId: entry.sourceId,
  name: entry.displayName,
  ...(entry.emailKey ? { email: entry.emailKey } : {}),
  ...(entry.upnKey ? { upn: entry.upnKey } : {}),
  action,
  reason,
});
