import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import type { AppManifest } from "@microsoft/app-manifest";
import { AppManifestUtils } from "@microsoft/app-manifest";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { APP_ROLE_SCOPES } from "../../api/auth/machine-scopes.ts";
import { loadConfig } from "../../api/config/config.ts";
import { requiredPermissions } from "../../api/connections/permissions.ts";
import { defaultSyncSettings } from "../../api/domain/sync-settings.ts";
import { GROUP_SEARCH_GRAPH_SCOPES } from "../../api/http/routes/groups-routes.ts";
import { COMMANDS } from "../../bot/commands/catalog.ts";
import { DEMO_CUSTOMER_APP_PERMISSIONS, PRODUCT_DELEGATED_PERMISSIONS } from "../../sim/index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const appPackage = join(root, "appPackage");

/** Sample values for every placeholder the Teams Toolkit project files provide. */
const SAMPLE_ENV: Record<string, string> = {
  TEAMS_APP_ID: "3b1f0c53-8a3e-4c1b-9a55-2f1d9a7d4e10",
  AAD_APP_CLIENT_ID: "6f4a8b1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
  AAD_APP_OBJECT_ID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  AAD_APP_ACCESS_AS_USER_PERMISSION_ID: "5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
  BOT_ID: "9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
  TAB_DOMAIN: "sync.example.com",
  TAB_ENDPOINT: "https://sync.example.com",
  APP_NAME_SUFFIX: "-dev",
};

/** The commands the bot understands (bot/commands/catalog.ts); Teams offers them from the manifest. */
const BOT_COMMANDS = COMMANDS.map((c) => c.name as string);

/** Replaces `${{NAME}}` the way Teams Toolkit does; an unknown name is a defect, not a silent blank. */
function fill(text: string, env: Record<string, string> = SAMPLE_ENV): string {
  return text.replace(/\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g, (_match, name: string) => {
    const value = env[name];
    if (value === undefined) throw new Error(`placeholder \${{${name}}} has no value in the project env`);
    return value;
  });
}

function readFilled<T>(file: string): T {
  return JSON.parse(fill(readFileSync(join(appPackage, file), "utf8"))) as T;
}

interface Command {
  title: string;
  description?: string;
}
interface TeamsManifestShape {
  $schema: string;
  manifestVersion: string;
  id: string;
  icons: { color: string; outline: string };
  staticTabs?: { entityId: string; contentUrl?: string; websiteUrl?: string; scopes: string[] }[];
  configurableTabs?: { configurationUrl: string; scopes: string[] }[];
  bots?: { botId: string; scopes: string[]; commandLists?: { scopes: string[]; commands: Command[] }[] }[];
  validDomains?: string[];
  webApplicationInfo?: { id: string; resource?: string };
}

const bundledSchemaRoot = join(
  dirname(createRequire(import.meta.url).resolve("@microsoft/app-manifest")),
  "json-schemas",
  "teams",
);

describe("Teams app manifest", () => {
  const manifest = readFilled<TeamsManifestShape>("manifest.json");
  let fetchSpy: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    // Validation must run offline from the schema bundled in the package; any network attempt fails.
    fetchSpy = vi.fn(async () => {
      throw new Error("schema validation tried to use the network");
    });
    vi.stubGlobal("fetch", fetchSpy);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("uses a released schema version that the package bundles", () => {
    expect(manifest.manifestVersion).toMatch(/^1\.\d+$/);
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(
      existsSync(join(bundledSchemaRoot, `v${manifest.manifestVersion}`, "MicrosoftTeams.schema.json")),
    ).toBe(true);
  });

  it("validates against the official schema without errors", async () => {
    const errors = await AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest);
    expect(errors, errors.join("\n")).toEqual([]);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("rejects a broken manifest, so the validation above is real", async () => {
    const broken = structuredClone(manifest) as unknown as Record<string, unknown>;
    delete broken.developer;
    (broken.bots as { botId: string }[])[0] = {
      ...(broken.bots as { botId: string }[])[0],
      botId: "not-a-guid",
    };
    const errors = await AppManifestUtils.validateAgainstSchema(broken as unknown as AppManifest);
    expect(errors.some((e) => e.includes("developer"))).toBe(true);
    expect(errors.some((e) => e.startsWith("/bots/0/botId"))).toBe(true);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("refuses placeholders the project env does not define", () => {
    expect(() => fill(`$\{{NOT_DEFINED}}`)).toThrow(/NOT_DEFINED/);
  });

  it("offers the admin tab as a personal tab and as a team channel tab on the tab endpoint", () => {
    const personal = manifest.staticTabs?.find((t) => t.contentUrl !== undefined);
    expect(personal?.scopes).toEqual(["personal"]);
    expect(personal?.contentUrl?.startsWith(`${SAMPLE_ENV.TAB_ENDPOINT}/index.html`)).toBe(true);
    const configurable = manifest.configurableTabs?.[0];
    expect(configurable?.scopes).toContain("team");
    expect(configurable?.configurationUrl.startsWith(`${SAMPLE_ENV.TAB_ENDPOINT}/index.html`)).toBe(true);
    expect(manifest.validDomains).toContain(SAMPLE_ENV.TAB_DOMAIN);
  });

  it("declares the bot in team and personal scope with every command", () => {
    expect([...BOT_COMMANDS].sort()).toEqual(
      [
        "sync now",
        "sync users",
        "sync lists",
        "preview",
        "status",
        "history",
        "why",
        "pause",
        "resume",
        "set channel",
        "help",
      ].sort(),
    );
    const bot = manifest.bots?.[0];
    expect(bot?.botId).toBe(SAMPLE_ENV.BOT_ID);
    expect(bot?.scopes.sort()).toEqual(["personal", "team"]);
    const lists = bot?.commandLists ?? [];
    const offered = new Set(lists.flatMap((l) => l.commands.map((c) => c.title)));
    for (const command of BOT_COMMANDS) expect(offered, `command "${command}"`).toContain(command);
    // The admin channel is where the bot lives: every command must be offered there.
    const team = lists.find((l) => l.scopes.includes("team"));
    expect(team?.commands.map((c) => c.title).sort()).toEqual([...BOT_COMMANDS].sort());
    for (const list of lists) {
      const titles = list.commands.map((c) => c.title);
      expect(new Set(titles).size, "duplicate command titles").toBe(titles.length);
      for (const command of list.commands) expect(command.description?.length ?? 0).toBeGreaterThan(0);
    }
  });

  it("points single sign-on at the app the Entra manifest exposes", () => {
    const aad = readFilled<AadManifestShape>("aad.manifest.json");
    expect(manifest.webApplicationInfo?.id).toBe(SAMPLE_ENV.AAD_APP_CLIENT_ID);
    expect(manifest.webApplicationInfo?.resource).toBe(
      `api://${SAMPLE_ENV.TAB_DOMAIN}/${SAMPLE_ENV.AAD_APP_CLIENT_ID}`,
    );
    expect(aad.identifierUris).toContain(manifest.webApplicationInfo?.resource);
    // Standalone sign-in asks for api://{client id}/access_as_user.
    expect(aad.identifierUris).toContain(`api://${SAMPLE_ENV.AAD_APP_CLIENT_ID}`);
  });
});

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** 8-bit RGBA, only decoded for colour type 6 at bit depth 8. */
  rgba?: Uint8Array;
}

/** Reads the IHDR chunk and, for 8-bit RGBA images, the pixels (all five PNG row filters handled). */
function readPng(file: string): Png {
  const data = readFileSync(join(appPackage, file));
  expect(data.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  expect(data.toString("ascii", 12, 16)).toBe("IHDR");
  const png: Png = {
    width: data.readUInt32BE(16),
    height: data.readUInt32BE(20),
    bitDepth: data.readUInt8(24),
    colorType: data.readUInt8(25),
  };
  if (png.colorType !== 6 || png.bitDepth !== 8 || data.readUInt8(28) !== 0) return png;
  const idat: Buffer[] = [];
  for (let offset = 8; offset < data.length; ) {
    const length = data.readUInt32BE(offset);
    if (data.toString("ascii", offset + 4, offset + 8) === "IDAT") {
      idat.push(data.subarray(offset + 8, offset + 8 + length));
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = png.width * 4;
  const out = new Uint8Array(stride * png.height);
  for (let y = 0; y < png.height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] as number;
      const a = x >= 4 ? (out[y * stride + x - 4] as number) : 0;
      const b = y > 0 ? (out[(y - 1) * stride + x] as number) : 0;
      const c = x >= 4 && y > 0 ? (out[(y - 1) * stride + x - 4] as number) : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = Math.floor((a + b) / 2);
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  png.rgba = out;
  return png;
}

describe("Teams app icons", () => {
  const manifest = readFilled<TeamsManifestShape>("manifest.json");

  it("color icon is a 192x192 full-colour, fully opaque image", () => {
    const png = readPng(manifest.icons.color);
    expect([png.width, png.height]).toEqual([192, 192]);
    expect([2, 6]).toContain(png.colorType);
    const rgba = png.rgba;
    if (!rgba) return;
    let opaque = 0;
    let brand = 0;
    let white = 0;
    const [r, g, b] = [0x0f, 0x6c, 0xbd];
    for (let i = 0; i < rgba.length; i += 4) {
      if (rgba[i + 3] === 255) opaque++;
      if (rgba[i] === r && rgba[i + 1] === g && rgba[i + 2] === b) brand++;
      if (rgba[i] === 255 && rgba[i + 1] === 255 && rgba[i + 2] === 255) white++;
    }
    const pixels = rgba.length / 4;
    expect(opaque).toBe(pixels);
    // A white glyph on the brand background, not a blank tile.
    expect(brand / pixels).toBeGreaterThan(0.5);
    expect(white / pixels).toBeGreaterThan(0.05);
  });

  it("outline icon is a 32x32 white glyph on a transparent background", () => {
    const png = readPng(manifest.icons.outline);
    expect([png.width, png.height]).toEqual([32, 32]);
    expect(png.colorType).toBe(6); // truecolour with alpha
    const rgba = png.rgba;
    expect(rgba).toBeDefined();
    if (!rgba) return;
    let transparent = 0;
    let solid = 0;
    for (let i = 0; i < rgba.length; i += 4) {
      const alpha = rgba[i + 3] as number;
      if (alpha === 0) transparent++;
      else {
        expect([rgba[i], rgba[i + 1], rgba[i + 2]], `pixel ${i / 4} must be white`).toEqual([255, 255, 255]);
        if (alpha === 255) solid++;
      }
    }
    expect(transparent).toBeGreaterThan(rgba.length / 4 / 3);
    expect(solid).toBeGreaterThan(50);
  });
});

interface AadManifestShape {
  appId: string;
  signInAudience: string;
  groupMembershipClaims?: string;
  identifierUris: string[];
  api: {
    requestedAccessTokenVersion: number;
    oauth2PermissionScopes: { id: string; value: string; type: string; isEnabled: boolean }[];
    preAuthorizedApplications: { appId: string; delegatedPermissionIds: string[] }[];
  };
  appRoles: { id: string; value: string; allowedMemberTypes: string[]; isEnabled: boolean }[];
  web: { redirectUris: string[] };
  requiredResourceAccess: { resourceAppId: string; resourceAccess: { id: string; type: string }[] }[];
}

describe("Entra app manifest", () => {
  const aad = readFilled<AadManifestShape>("aad.manifest.json");
  // The roles the API authorizes against, from its own configuration defaults.
  const config = loadConfig({
    COSMOS_ENDPOINT: "https://localhost:8081",
    AUTH_CLIENT_ID: SAMPLE_ENV.BOT_ID,
    BOT_APP_ID: SAMPLE_ENV.BOT_ID,
    BOT_APP_PASSWORD: "not-used-here",
  });

  it("defines exactly the app roles the API authorizes", () => {
    const forPeople = aad.appRoles.filter((r) => r.allowedMemberTypes.includes("User"));
    const roles = forPeople.map((r) => r.value).sort();
    expect(roles).toEqual([...config.ADMIN_APP_ROLES, ...config.READER_APP_ROLES].sort());
    expect(roles).toEqual(["DirectorySync.Admin", "DirectorySync.Reader"]);
    // Applications (client credentials) get exactly the Directory API's roles, and people none of them.
    const forApps = aad.appRoles.filter((r) => r.allowedMemberTypes.includes("Application"));
    expect(forApps.map((r) => r.value).sort()).toEqual(Object.keys(APP_ROLE_SCOPES).sort());
    expect(forApps.every((r) => !r.allowedMemberTypes.includes("User"))).toBe(true);
    // Admins by directory role (ADMIN_DIRECTORY_ROLES) are recognised from `wids`, emitted only when asked for.
    expect(aad.groupMembershipClaims).toBe("DirectoryRole");
    const ids = aad.appRoles.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const role of aad.appRoles) {
      expect(role.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(role.isEnabled).toBe(true);
      expect(role.allowedMemberTypes.length).toBe(1);
    }
  });

  it("exposes access_as_user, pre-authorized for every Teams, Microsoft 365 and Outlook client", () => {
    expect(aad.signInAudience).toBe("AzureADMultipleOrgs");
    expect(aad.api.requestedAccessTokenVersion).toBe(2);
    const scopes = aad.api.oauth2PermissionScopes;
    expect(scopes.map((s) => s.value)).toEqual(["access_as_user"]);
    const scopeId = scopes[0]?.id;
    expect(scopeId).toBe(SAMPLE_ENV.AAD_APP_ACCESS_AS_USER_PERMISSION_ID);
    const preAuthorized = Object.fromEntries(
      aad.api.preAuthorizedApplications.map((p) => [p.appId, p.delegatedPermissionIds]),
    );
    // Microsoft's list of client ids for tab SSO (Teams platform docs, "Configure your tab app in
    // Microsoft Entra ID"); Microsoft 365 mobile and Outlook desktop share one id.
    expect(preAuthorized).toEqual({
      "1fec8e78-bce4-4aaf-ab1b-5451cc387264": [scopeId], // Teams desktop and mobile
      "5e3ce6c0-2b1f-4285-8d4b-75ee78787346": [scopeId], // Teams web
      "4765445b-32c6-49b0-83e6-1d93765276ca": [scopeId], // Microsoft 365 web
      "0ec893e0-5785-4de6-99da-4ed124e5296c": [scopeId], // Microsoft 365 desktop
      "d3590ed6-52b3-4102-aeff-aad2292ab01c": [scopeId], // Microsoft 365 mobile, Outlook desktop
      "bc59ab01-8403-45c6-8796-ac3ef710b3e3": [scopeId], // Outlook web
      "27922004-5251-4030-b22d-91ecd9a37ea4": [scopeId], // Outlook mobile
    });
  });

  it("requests exactly the Graph permissions the code asks for with the product's app, and no app-only one", () => {
    const graph = aad.requiredResourceAccess.find(
      (r) =>
        r.resourceAppId === "Microsoft Graph" || r.resourceAppId === "00000003-0000-0000-c000-000000000000",
    );
    const of = (type: string) =>
      (graph?.resourceAccess ?? [])
        .filter((a) => a.type === type)
        .map((a) => a.id)
        .sort();
    // The product's app never gets an app-only token: graph-app connections use the customer's own app.
    expect(of("Role")).toEqual([]);
    // What the code asks for as the signed-in admin: a graph-delegated connection's consent (the
    // configuration's DELEGATED_GRAPH_SCOPES plus offline_access for its refresh token, api/auth/consent.ts)
    // and the group picker's on-behalf-of call.
    const used = new Set([...config.DELEGATED_GRAPH_SCOPES, "offline_access", ...GROUP_SEARCH_GRAPH_SCOPES]);
    expect(of("Scope")).toEqual([...used].sort());
    expect(aad.requiredResourceAccess).toHaveLength(1);
  });

  it("declares every permission the connection test checks, as the simulator's apps hold them", () => {
    // Every option on, so every permission a connection test can ask about is listed.
    const settings = defaultSyncSettings();
    settings.photos = true;
    settings.users.scope = "administrativeUnits";
    const declared = (aad.requiredResourceAccess[0]?.resourceAccess ?? []).map((a) => a.id);
    const app = requiredPermissions(settings, false).map((p) => p.permission);
    const delegated = requiredPermissions(settings, true).map((p) => p.permission);
    // The chat admin check's permission is among them for both kinds of connection.
    expect(app).toContain("RoleManagement.Read.Directory");
    expect(delegated).toContain("RoleManagement.Read.Directory");
    // App permissions belong to the customer's own app registration (a graph-app connection's client id).
    for (const permission of app)
      expect(DEMO_CUSTOMER_APP_PERMISSIONS as readonly string[], permission).toContain(permission);
    for (const permission of delegated) {
      expect(declared, permission).toContain(permission);
      expect(config.DELEGATED_GRAPH_SCOPES, permission).toContain(permission);
      expect(PRODUCT_DELEGATED_PERMISSIONS as readonly string[], permission).toContain(permission);
    }
  });

  it("registers https redirect URIs on the app's own domain for sign-in and admin consent", () => {
    expect(aad.web.redirectUris.length).toBeGreaterThanOrEqual(2);
    for (const uri of aad.web.redirectUris) {
      expect(uri.startsWith(`https://${SAMPLE_ENV.TAB_DOMAIN}/`)).toBe(true);
    }
  });
});
