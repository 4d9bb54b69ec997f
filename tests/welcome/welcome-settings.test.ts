import { describe, expect, it } from "vitest";
import { patchConnectionSchema } from "../../api/contract/connections.ts";
import { defaultSyncSettings } from "../../api/domain/sync-settings.ts";
import {
  describeWelcome,
  renderTemplate,
  templateProblem,
  welcomeValues,
} from "../../api/domain/welcome-template.ts";

/** The field errors a settings change would answer with, keyed by path as the API reports them. */
function fieldErrors(welcome: Record<string, unknown>): Record<string, string> {
  const result = patchConnectionSchema.safeParse({ settings: { welcome } });
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
}

describe("welcome notice settings", () => {
  it("are off by default, send email, and leave existing people and guests alone", () => {
    expect(defaultSyncSettings().welcome).toMatchObject({
      enabled: false,
      channel: "email",
      existingPeople: "skip",
      guests: "skip",
    });
  });

  it("accept a complete email setup", () => {
    expect(
      fieldErrors({
        enabled: true,
        mailbox: "Welcome@Contoso.com",
        appLink: "https://portal.contoso.com",
        subject: "Welcome {firstName}",
        body: "Hi {displayName}, open {appLink}",
      }),
    ).toEqual({});
  });

  it("name the mailbox when email is switched on without one", () => {
    expect(fieldErrors({ enabled: true, channel: "email", appLink: "https://a.example" })).toEqual({
      "settings.welcome.mailbox": "name the mailbox email notices are sent from",
    });
  });

  it("need no mailbox for Teams messages", () => {
    expect(fieldErrors({ enabled: true, channel: "teams", appLink: "https://a.example" })).toEqual({});
  });

  it("name an unknown placeholder and list the ones that exist", () => {
    const errors = fieldErrors({ subject: "Welcome {nickname}" });
    expect(Object.keys(errors)).toEqual(["settings.welcome.subject"]);
    expect(errors["settings.welcome.subject"]).toMatch(
      /^\{nickname\} is not a placeholder; use \{firstName\}/,
    );
  });

  it("explain a brace that opens no placeholder or closes nothing", () => {
    expect(fieldErrors({ body: "Hello {firstName" })["settings.welcome.body"]).toMatch(
      /character 7 does not start a placeholder/,
    );
    expect(fieldErrors({ body: "Hello }" })["settings.welcome.body"]).toMatch(/character 7 closes nothing/);
  });

  it("refuse an empty template, a bad mailbox and a link that is not https", () => {
    expect(fieldErrors({ subject: " " })).toEqual({
      "settings.welcome.subject": "enter the notice's subject",
    });
    expect(fieldErrors({ mailbox: "not a mailbox" })).toEqual({
      "settings.welcome.mailbox": "must be an email address",
    });
    expect(fieldErrors({ appLink: "http://portal.contoso.com" })).toEqual({
      "settings.welcome.appLink": "must be an https:// link",
    });
  });

  it("ask for the link when a switched-on template uses {appLink}", () => {
    expect(fieldErrors({ enabled: true, channel: "teams" })).toEqual({
      "settings.welcome.appLink": "the body uses {appLink}: enter the link people open the application with",
    });
  });

  it("refuse fields it does not know", () => {
    expect(Object.keys(fieldErrors({ cc: "boss@contoso.com" }))).toEqual(["settings.welcome"]);
  });
});

describe("welcome templates", () => {
  it("fill placeholders from a profile and keep doubled braces as braces", () => {
    const values = welcomeValues(
      { firstName: "Adele", lastName: "Vance", department: "Retail" },
      "Adele Vance",
      "https://portal.contoso.com",
    );
    expect(renderTemplate("{{Hi}} {firstName} of {department}: {appLink}", values)).toBe(
      "{Hi} Adele of Retail: https://portal.contoso.com",
    );
  });

  it("fall back to the display name when a profile has no first name", () => {
    expect(renderTemplate("Hi {firstName}", welcomeValues({}, "Conf Room", ""))).toBe("Hi Conf Room");
    expect(templateProblem("Hi {firstName}")).toBeUndefined();
  });

  it("describe a notice's outcome in one line, the same in the tab and in chat", () => {
    const at = "2026-12-03T10:00:00.000Z";
    expect(describeWelcome({ status: "sent", channel: "email", attempts: 1, at })).toBe(
      "Welcome notice: sent by email",
    );
    expect(
      describeWelcome({ status: "failed", channel: "teams", attempts: 2, detail: "no license", at }),
    ).toBe("Welcome notice: failed in Teams (2 attempts): no license");
    expect(describeWelcome({ status: "uncertain", channel: "email", at })).toBe(
      "Welcome notice: may have been sent (interrupted) by email",
    );
    expect(describeWelcome({ status: "pending", at })).toBe("Welcome notice: waiting to be sent");
  });
});
