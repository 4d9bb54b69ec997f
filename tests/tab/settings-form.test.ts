import { describe, expect, it } from "vitest";
import { defaultSchedule as apiDefaultSchedule } from "../../api/contract/connections.ts";
import { defaultSyncSettings } from "../../api/domain/sync-settings.ts";
import {
  defaultSchedule,
  defaultSettings,
  errorFor,
  normalizeFieldErrors,
  targetState,
  validate,
  withDefaults,
} from "../../tab/src/app/settingsForm.ts";

const noLines = { emails: "", administrativeUnitIds: "", listGroupIds: "" };

describe("sync settings form", () => {
  it("starts a new connection from the defaults the API fills in", () => {
    expect(defaultSettings()).toEqual(defaultSyncSettings());
    expect(defaultSchedule()).toEqual(apiDefaultSchedule());
  });

  it("accepts the defaults", () => {
    const { errors } = validate(defaultSettings(), noLines, defaultSchedule(), "Contoso");
    expect(errors).toEqual({});
  });

  it("matches the API's defaults (api/domain/sync-settings.ts)", () => {
    const d = defaultSettings();
    expect(d.what).toBe("users-and-lists");
    expect(d.users).toMatchObject({
      scope: "all",
      guests: "exclude",
      disabled: "inactive",
      excludeResourceAccounts: true,
    });
    expect(d.deletionGuard).toEqual({ enabled: true, maxCount: 50, maxPercent: 10 });
    expect(d.retentionDays).toBe(30);
    expect(d.required).toEqual(["sourceId", "firstName", "lastName", "email"]);
    expect(d.mapping).toHaveLength(15);
  });

  it("requires what a scope needs, with per-line messages for whitelists", () => {
    const s = defaultSettings();
    s.users.scope = "emails";
    expect(validate(s, noLines, defaultSchedule(), "x").errors["users.emails"]).toBe(
      "Enter at least one email.",
    );
    const { errors, parsed } = validate(
      s,
      { ...noLines, emails: "a@contoso.com\nnope" },
      defaultSchedule(),
      "x",
    );
    expect(errors["users.emails"]).toBe("Line 2: not an email address (nope)");
    expect(parsed.emails).toEqual(["a@contoso.com"]);
    s.users.scope = "groups";
    expect(validate(s, noLines, defaultSchedule(), "x").errors["users.groupIds"]).toBe(
      "Choose at least one group.",
    );
    s.lists.scope = "ids";
    expect(validate(s, noLines, defaultSchedule(), "x").errors["lists.groupIds"]).toBe(
      "Enter at least one group id.",
    );
  });

  it("ignores whitelists that the chosen scope does not use", () => {
    const { errors } = validate(defaultSettings(), { ...noLines, emails: "garbage" }, defaultSchedule(), "x");
    expect(errors).toEqual({});
  });

  it("checks numbers against the schema's limits", () => {
    const s = defaultSettings();
    s.deletionGuard.maxCount = -1;
    s.deletionGuard.maxPercent = 101;
    s.retentionDays = 3.5;
    const { errors } = validate(s, noLines, { ...defaultSchedule(), intervalMinutes: Number.NaN }, "");
    expect(Object.keys(errors).sort()).toEqual([
      "deletionGuard.maxCount",
      "deletionGuard.maxPercent",
      "name",
      "retentionDays",
      "schedule.intervalMinutes",
    ]);
  });

  it("flags bad mapping sources, unknown fields and duplicate targets by row", () => {
    const s = defaultSettings();
    s.mapping = [
      { source: "givenName", target: "field:firstName" },
      { source: "favouriteColour", target: "field:lastName" },
      { source: "surname", target: "field:firstName" },
      { source: "extension_0123456789abcdef0123456789abcdef_costCenter", target: "field:shoeSize" },
      { source: "onPremisesExtensionAttributes.extensionAttribute15", target: "attribute:costCenter" },
    ];
    const { errors } = validate(s, noLines, defaultSchedule(), "x");
    expect(Object.keys(errors).sort()).toEqual(["mapping.1.source", "mapping.2.target", "mapping.3.target"]);
  });

  it("refuses email as a mapping target and an unfilled new row, naming the row", () => {
    const settings = defaultSettings();
    const rows = settings.mapping.length;
    settings.mapping.push({ source: "department", target: "field:email" }, { source: "", target: "" });
    const { errors } = validate(settings, noLines, defaultSchedule(), "Contoso");
    expect(errors[`mapping.${rows}.target`]).toMatch(/^Email is not mapped/);
    expect(errors[`mapping.${rows + 1}.source`]).toMatch(/^Use an Entra user property/);
    expect(errors[`mapping.${rows + 1}.target`]).toBe("Choose a profile field or a custom attribute.");
    expect(Object.keys(errors)).toHaveLength(3);
  });

  it("tells defined custom attributes from undefined ones", () => {
    const defined = [{ name: "costCenter", label: "Cost center", valueType: "string" as const }];
    expect(targetState("field:email", defined)).toBe("field");
    expect(targetState("attribute:costCenter", defined)).toBe("defined");
    expect(targetState("attribute:badge", defined)).toBe("undefined");
    expect(targetState("field:nope", defined)).toBe("invalid");
    expect(targetState("email", defined)).toBe("invalid");
  });

  it("puts the API's field errors next to the form's fields", () => {
    const errors = normalizeFieldErrors({
      "settings.users.emails.3": "must be an email address",
      name: "too long",
    });
    expect(errors).toEqual({ "users.emails.3": "must be an email address", name: "too long" });
    expect(errorFor(errors, "users.emails")).toBe("must be an email address");
    expect(errorFor(errors, "users")).toBe("must be an email address");
    expect(errorFor(errors, "users.groupIds")).toBeUndefined();
  });

  it("fills settings saved by an older version with defaults", () => {
    const s = withDefaults({ what: "users", users: { scope: "groups" } } as never);
    expect(s.what).toBe("users");
    expect(s.users.scope).toBe("groups");
    expect(s.users.groupIds).toEqual([]);
    expect(s.deletionGuard.maxCount).toBe(50);
  });
});

describe("welcome notice settings in the form", () => {
  const withWelcome = (welcome: Partial<ReturnType<typeof defaultSettings>["welcome"]>) => ({
    ...defaultSettings(),
    welcome: { ...defaultSettings().welcome, ...welcome },
  });

  it("name the mailbox, an unknown placeholder and an empty message before saving", () => {
    const { errors } = validate(
      withWelcome({ enabled: true, channel: "email", mailbox: " ", subject: "Hi {nickname}", body: "" }),
      noLines,
      defaultSchedule(),
      "Contoso",
    );
    expect(errors).toEqual({
      "welcome.mailbox": "Name the mailbox email notices are sent from.",
      "welcome.subject": expect.stringMatching(/^\{nickname\} is not a placeholder/),
      "welcome.body": "Enter the notice's body.",
    });
  });

  it("keep the welcome part of settings stored before notices existed at its defaults", () => {
    const { welcome: _w, ...older } = defaultSyncSettings();
    expect(withDefaults(older as Parameters<typeof withDefaults>[0]).welcome).toEqual(
      defaultSyncSettings().welcome,
    );
  });
});
