import { describeWelcome, type WelcomeOutcome } from "../domain/welcome-template.ts";
import type { Store } from "../store/store.ts";
import { outcomeOf, WelcomeNotices } from "./notices.ts";

/** The welcome notice of the profile "why" found, to show beside what the sync did. */
export async function welcomeOfProfile(
  store: Store,
  tenantId: string,
  profile: { id: string; connectionId: string } | undefined,
): Promise<WelcomeOutcome | undefined> {
  if (!profile) return undefined;
  const doc = await store.profiles.get(tenantId, profile.id);
  if (!doc) return undefined;
  const notice = await new WelcomeNotices(store, () => new Date()).get(
    tenantId,
    profile.connectionId,
    doc.sourceId,
  );
  return notice && outcomeOf(notice);
}

/** One line for chat: "Welcome notice: sent by email (2026-12-03T…)". */
export function describeWelcomeForChat(outcome: WelcomeOutcome): string {
  return `${describeWelcome(outcome)} (${outcome.at})`;
}
