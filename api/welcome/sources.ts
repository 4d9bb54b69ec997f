import type { WelcomeSettings } from "../domain/welcome.ts";
import type { ProfileDoc, TaskDoc, TaskRecordDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { type NewNotice, personOf, type WelcomeNotices } from "./notices.ts";

const EXISTING_SKIPPED =
  "already in Entra ID when this connection first synced, and welcome notices are set to welcome only people created from then on";
export const GUEST_SKIPPED = "a guest account; switch on Welcome guests to include guests";
const INACTIVE_SKIPPED = "the account is disabled in Entra ID";

/**
 * Gives every person a finished run created a notice record: pending, or skipped with the reason. Only
 * `created` records count: an update, a restore or an adoption is not a new person. Answers how many were
 * skipped.
 */
export async function collectCreated(
  store: Store,
  notices: WelcomeNotices,
  task: TaskDoc,
  settings: WelcomeSettings,
  initialImport: boolean,
): Promise<number> {
  let skipped = 0;
  for await (const records of store.taskRecords.stream(task.tenantId, {
    where: "c.taskId = @t AND c.kind = 'user' AND c.action = 'created'",
    parameters: [{ name: "@t", value: task.id }],
  })) {
    const profiles = await profilesOf(store, task, records);
    for (const record of records) {
      const profile = profiles.get(record.sourceId);
      const notice = noticeFor(task, record, profile, settings, initialImport);
      const created = await notices.createIfAbsent(task.tenantId, notice);
      if (created?.status === "skipped") {
        skipped++;
        await notices.showOnTaskRecord(created);
      }
    }
  }
  return skipped;
}

function noticeFor(
  task: TaskDoc,
  record: TaskRecordDoc,
  profile: ProfileDoc | undefined,
  settings: WelcomeSettings,
  initialImport: boolean,
): NewNotice {
  const person = profile
    ? personOf(profile)
    : { name: record.name, guest: false, ...(record.email ? { email: record.email } : {}) };
  const base = {
    connectionId: task.connectionId,
    sourceId: record.sourceId,
    name: person.name,
    ...(person.email ? { email: person.email } : {}),
    taskId: task.id,
  };
  const skip = (detail: string): NewNotice => ({ ...base, status: "skipped", detail });
  if (initialImport && settings.existingPeople === "skip") return skip(EXISTING_SKIPPED);
  if (person.guest && settings.guests === "skip") return skip(GUEST_SKIPPED);
  if (profile?.status === "inactive") return skip(INACTIVE_SKIPPED);
  return { ...base, status: "pending" };
}

async function profilesOf(
  store: Store,
  task: TaskDoc,
  records: TaskRecordDoc[],
): Promise<Map<string, ProfileDoc>> {
  if (records.length === 0) return new Map();
  const profiles = await store.profiles.all(task.tenantId, {
    where: "c.connectionId = @c AND ARRAY_CONTAINS(@ids, c.sourceId)",
    parameters: [
      { name: "@c", value: task.connectionId },
      { name: "@ids", value: records.map((r) => r.sourceId) },
    ],
  });
  return new Map(profiles.map((p) => [p.sourceId, p]));
}
