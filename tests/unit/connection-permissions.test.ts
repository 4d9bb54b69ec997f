import { describe, expect, it } from "vitest";
import { checkPermissions, requiredPermissions } from "../../api/connections/permissions.ts";
import { defaultSyncSettings } from "../../api/domain/sync-settings.ts";
import type { GraphApi } from "../../api/graph/client.ts";
import { DirectoryProblem } from "../../api/graph/problems.ts";

const ROLES = "RoleManagement.Read.Directory";
const APP_GRANTS = ["User.Read.All", "GroupMember.Read.All"];

/** A Graph stand-in answering every probe, except those listed, which Graph refuses with 403. */
const graphRefusing = (...paths: string[]) =>
  ({
    get: async (path: string) => {
      if (paths.some((p) => path.startsWith(p)))
        throw new DirectoryProblem("permission-missing", "Insufficient privileges", "Grant it", 403);
      return { value: [] };
    },
  }) as unknown as GraphApi;

describe("the connection test checks the permission of the bot's chat admin check", () => {
  it("an app connection asks for RoleManagement.Read.Directory as optional, for chat admin checks", () => {
    const needed = requiredPermissions(defaultSyncSettings(), false);
    expect(needed.find((p) => p.permission === ROLES)).toEqual({
      permission: ROLES,
      why: "check who may run sync commands in chat",
      optional: { without: "the bot cannot check who may run sync commands in chat" },
    });
    // Syncing itself needs exactly what it needed before.
    expect(needed.filter((p) => !p.optional).map((p) => p.permission)).toEqual(APP_GRANTS);
  });

  it("a delegated connection keeps requiring it: the consenting admin's role is checked before runs", () => {
    const needed = requiredPermissions(defaultSyncSettings(), true).find((p) => p.permission === ROLES);
    expect(needed?.optional).toBeUndefined();
    expect(needed?.why).toContain("who may run sync commands in chat");
  });

  it("missing from the token: reported missing with cause and remedy, marked optional", async () => {
    const checks = await checkPermissions(
      graphRefusing(),
      requiredPermissions(defaultSyncSettings(), false),
      APP_GRANTS,
      "application",
    );
    expect(checks.map((c) => [c.permission, c.status])).toEqual([
      ["User.Read.All", "granted"],
      ["GroupMember.Read.All", "granted"],
      [ROLES, "missing"],
    ]);
    const roles = checks[2];
    expect(roles?.optional).toBe(true);
    expect(roles?.detail).toBe(
      "Permission RoleManagement.Read.Directory is missing: add the application permission RoleManagement.Read.Directory (Microsoft Graph) to the app and grant admin consent; without it the bot cannot check who may run sync commands in chat. Syncing does not need it.",
    );
    expect(checks.slice(0, 2).every((c) => c.optional === undefined)).toBe(true);
  });

  it("granted in the token but refused by Graph: the same, from the probe", async () => {
    const [roles] = await checkPermissions(
      graphRefusing("/roleManagement/"),
      requiredPermissions(defaultSyncSettings(), false).filter((p) => p.permission === ROLES),
      [...APP_GRANTS, ROLES],
      "application",
    );
    expect(roles).toMatchObject({ permission: ROLES, status: "missing", optional: true });
    expect(roles?.detail).toBe(
      "Microsoft Graph refused to check who may run sync commands in chat (403): grant RoleManagement.Read.Directory and admin consent; without it the bot cannot check who may run sync commands in chat. Syncing does not need it.",
    );
  });

  it("granted and answered: granted, as Directory.Read.All also grants it", async () => {
    const needed = requiredPermissions(defaultSyncSettings(), false);
    for (const granted of [[...APP_GRANTS, ROLES], ["Directory.Read.All"]]) {
      const checks = await checkPermissions(graphRefusing(), needed, granted, "application");
      expect(checks.every((c) => c.status === "granted")).toBe(true);
    }
  });

  it("a required permission still reads as before, and is not optional", async () => {
    const [users] = await checkPermissions(
      graphRefusing(),
      requiredPermissions(defaultSyncSettings(), false),
      [],
      "application",
    );
    expect(users).toEqual({
      permission: "User.Read.All",
      status: "missing",
      detail:
        "Needed to read users. Add the application permission User.Read.All (Microsoft Graph) to the app and grant admin consent.",
    });
  });
});

describe("the connection test checks welcome notices' permissions only when they are on", () => {
  const withWelcome = (welcome: Record<string, unknown>) => ({
    ...defaultSyncSettings(),
    welcome: { ...defaultSyncSettings().welcome, appLink: "https://a.example", ...welcome },
  });

  it("asks for nothing more while notices are off", () => {
    const names = requiredPermissions(defaultSyncSettings(), false).map((p) => p.permission);
    expect(names).not.toContain("Mail.Send");
    expect(names).not.toContain("TeamsAppInstallation.ReadWriteForUser.All");
  });

  it("asks for Mail.Send for email and TeamsAppInstallation.ReadWriteForUser.All for Teams, as optional", async () => {
    const email = requiredPermissions(withWelcome({ enabled: true, mailbox: "welcome@contoso.com" }), false);
    expect(email.find((p) => p.permission === "Mail.Send")).toEqual({
      permission: "Mail.Send",
      why: "send welcome notices from welcome@contoso.com",
      optional: { without: "welcome notices by email cannot be sent" },
    });
    const teams = requiredPermissions(withWelcome({ enabled: true, channel: "teams" }), false);
    expect(teams.map((p) => p.permission)).toContain("TeamsAppInstallation.ReadWriteForUser.All");
    expect(teams.map((p) => p.permission)).not.toContain("Mail.Send");

    const checks = await checkPermissions(graphRefusing(), email, [...APP_GRANTS, ROLES], "application");
    expect(checks.find((c) => c.permission === "Mail.Send")).toMatchObject({
      status: "missing",
      optional: true,
      detail: expect.stringContaining(
        "without it welcome notices by email cannot be sent. Syncing does not need it.",
      ),
    });
    const granted = await checkPermissions(
      graphRefusing(),
      email,
      [...APP_GRANTS, ROLES, "Mail.Send"],
      "application",
    );
    expect(granted.find((c) => c.permission === "Mail.Send")?.status).toBe("granted");
  });
});
