import { describe, expect, it } from "vitest";
import { actionLabel, propertyLabel, valueText } from "../../tab/src/app/changes.ts";

/** How the audit log and task details word a changed property. */
describe("changed properties as text", () => {
  it("names properties in words, settings first-level paths without the 'settings' prefix", () => {
    expect(propertyLabel("settings.deletionGuard.maxCount")).toBe("Deletion guard › Max deletions");
    expect(propertyLabel("settings.users.groupIds")).toBe("Users › Groups");
    expect(propertyLabel("settings")).toBe("Settings");
    expect(propertyLabel("jobTitle")).toBe("Job title");
    expect(propertyLabel("schedule.intervalMinutes")).toBe("Schedule › Every (minutes)");
  });

  it("words actions, and makes unknown codes readable rather than hiding them", () => {
    expect(actionLabel("connection.update")).toBe("Changed connection");
    expect(actionLabel("connection.rotate-secret")).toBe("Entered a new client secret");
    expect(actionLabel("webhook.endpoint-added")).toBe("Webhook endpoint added");
  });

  it("shows values as a person reads them", () => {
    expect(valueText(null)).toBe("(empty)");
    expect(valueText(true)).toBe("On");
    expect(valueText(3)).toBe("3");
    expect(valueText(["a", "b", "c", "d", "e", "f", "g"])).toBe("a, b, c, d, e and 2 more");
    expect(valueText([])).toBe("(none)");
    expect(valueText("2026-12-01T09:30:00.000Z")).not.toContain("T09:30");
    expect(valueText({ enabled: true, maxCount: 3 })).toBe("enabled: On; max deletions: 3");
    expect(valueText("x".repeat(300))).toHaveLength(120);
  });
});
