import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatInterval,
  formatRelative,
  formatValue,
  groupTypeLabel,
  progressFraction,
  taskDuration,
} from "../../tab/src/app/format.ts";

describe("formatting", () => {
  it("formats durations from milliseconds to hours", () => {
    expect(formatDuration(undefined)).toBe("—");
    expect(formatDuration(-5)).toBe("—");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_400)).toBe("12 s");
    expect(formatDuration(59_600)).toBe("1 min 00 s");
    expect(formatDuration(185_000)).toBe("3 min 05 s");
    expect(formatDuration(3_725_000)).toBe("1 h 02 min");
  });

  it("measures a task from start to finish, or to now while it runs", () => {
    const t = { createdAt: "2026-01-01T10:00:00Z", startedAt: "2026-01-01T10:00:05Z" };
    expect(taskDuration({ ...t, finishedAt: "2026-01-01T10:01:05Z" })).toBe(60_000);
    expect(taskDuration(t, Date.parse("2026-01-01T10:00:15Z"))).toBe(10_000);
    expect(taskDuration({ createdAt: "garbage" })).toBeUndefined();
  });

  it("says when, relative to now", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(formatRelative("2026-01-01T12:05:00Z", now, "en")).toBe("in 5 minutes");
    expect(formatRelative("2026-01-01T10:00:00Z", now, "en")).toBe("2 hours ago");
    expect(formatRelative("2026-01-01T11:59:50Z", now, "en")).toBe("just now");
    expect(formatRelative(undefined, now)).toBe("—");
  });

  it("knows when progress is indeterminate", () => {
    expect(progressFraction({ processed: 10 })).toBeUndefined();
    expect(progressFraction({ processed: 10, total: 0 })).toBeUndefined();
    expect(progressFraction({ processed: 50, total: 200 })).toBe(0.25);
    expect(progressFraction({ processed: 300, total: 200 })).toBe(1);
  });

  it("names group types the way the Entra admin center does", () => {
    expect(groupTypeLabel({ groupTypes: ["Unified"] })).toBe("Microsoft 365");
    expect(groupTypeLabel({ groupTypes: ["Unified", "DynamicMembership"] })).toBe("Microsoft 365 (dynamic)");
    expect(groupTypeLabel({ securityEnabled: true, mailEnabled: true })).toBe("Mail-enabled security");
    expect(groupTypeLabel({ securityEnabled: true })).toBe("Security");
    expect(groupTypeLabel({ mailEnabled: true })).toBe("Distribution");
    expect(groupTypeLabel({ groupType: "Custom" })).toBe("Custom");
  });

  it("shows profile values as text", () => {
    expect(formatValue(null)).toBe("—");
    expect(formatValue(["a", "b"])).toBe("a, b");
    expect(formatValue(false)).toBe("No");
    expect(formatValue(3)).toBe("3");
  });
});

describe("schedule intervals", () => {
  it("reads as a person says it, never 'Every 1 minutes'", () => {
    expect(formatInterval(1)).toBe("Every minute");
    expect(formatInterval(15)).toBe("Every 15 minutes");
    expect(formatInterval(60)).toBe("Every hour");
    expect(formatInterval(120)).toBe("Every 2 hours");
    expect(formatInterval(90)).toBe("Every 90 minutes");
  });
});
