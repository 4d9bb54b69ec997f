import { describe, expect, it } from "vitest";
import type { Connection } from "../../tab/src/api/types.ts";
import { editableOf, mergeEdits } from "../../tab/src/app/settingsMerge.ts";

const loaded = editableOf({
  id: "c1",
  name: "Contoso",
  kind: "graph-app",
  status: "active",
  settings: {},
  schedule: { enabled: true, intervalMinutes: 60, fullEveryHours: 24 },
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
} as unknown as Connection);

describe("merging the settings page's edits with a version saved meanwhile", () => {
  it("reports nothing when only what the page does not edit changed, and keeps the edits", () => {
    const mine = { ...loaded, name: "Contoso HR" };
    const { merged, theirChanges } = mergeEdits(loaded, mine, structuredClone(loaded));
    expect(theirChanges).toEqual([]);
    expect(merged).toEqual(mine);
  });

  it("keeps their change where only they changed something, and the admin's edits everywhere else", () => {
    const mine = { ...loaded, name: "Contoso HR", settings: { ...loaded.settings, mirror: false } };
    const theirs = { ...loaded, schedule: { ...loaded.schedule, intervalMinutes: 30 } };
    const { merged, theirChanges } = mergeEdits(loaded, mine, theirs);
    expect(theirChanges).toEqual([
      { path: ["schedule", "intervalMinutes"], from: 60, to: 30, alsoMine: false },
    ]);
    expect(merged.name).toBe("Contoso HR");
    expect(merged.settings.mirror).toBe(false);
    expect(merged.schedule.intervalMinutes).toBe(30);
  });

  it("keeps the admin's value where both changed the same setting, and says so", () => {
    const mine = {
      ...loaded,
      settings: { ...loaded.settings, users: { ...loaded.settings.users, emails: ["a@contoso.com"] } },
    };
    const theirs = {
      ...loaded,
      settings: { ...loaded.settings, users: { ...loaded.settings.users, emails: ["b@contoso.com"] } },
    };
    const { merged, theirChanges } = mergeEdits(loaded, mine, theirs);
    expect(theirChanges).toEqual([
      { path: ["settings", "users", "emails"], from: [], to: ["b@contoso.com"], alsoMine: true },
    ]);
    expect(merged.settings.users.emails).toEqual(["a@contoso.com"]);
  });
});
