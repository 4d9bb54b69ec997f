import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CONFIG_VARIABLES, REQUIRED_IN_PRODUCTION } from "../../api/config/config.ts";
import { type BicepDeclaration, moduleParams, objectAt, parseBicep } from "../support/bicep.ts";

const root = resolve(import.meta.dirname, "../..");
/** A Teams Toolkit environment value as the toolkit's files write it: ${{NAME}}. */
const toolkitValue = (name: string) => `\${{${name}}}`;
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** App settings read by App Service itself, not by the product; each with the reason it is there. */
const PLATFORM_SETTINGS: Record<string, string> = {
  SCM_DO_BUILD_DURING_DEPLOYMENT: "App Service's build service installs the bundle's dependencies",
};
/** Settings that are secrets: they must arrive as Key Vault references, never as plain values. */
const SECRETS = ["AUTH_CLIENT_SECRET", "BOT_APP_PASSWORD", "SESSION_SECRET", "ENCRYPTION_KEY", "COSMOS_KEY"];

const main = parseBicep(read("infra/main.bicep"));
const appSettings = moduleParams(main, "appSettings");
const plain = [...objectAt(appSettings, "settings").entries.keys()];
const secret = [...objectAt(appSettings, "secretUris").entries.keys()];
const written = [...plain, ...secret];

describe("infra and the configuration agree", () => {
  it("reads the app settings from the deployed template (sanity of the reader)", () => {
    expect(plain).toContain("COSMOS_ENDPOINT");
    expect(secret).toContain("SESSION_SECRET");
    // Every Bicep file in infra/ reads completely, so a later edit cannot hide a setting from this test.
    for (const file of ["infra/main.bicep", ...bicepFiles("infra/modules")])
      expect(() => parseBicep(read(file)), file).not.toThrow();
  });

  it("every app setting infra writes is read by the config schema (or by App Service, named here)", () => {
    const unread = written.filter((name) => !CONFIG_VARIABLES.includes(name) && !PLATFORM_SETTINGS[name]);
    expect(unread).toEqual([]);
  });

  it("every setting the production server requires is written by infra", () => {
    const missing = REQUIRED_IN_PRODUCTION.filter((names) =>
      names.split("|").every((name) => !written.includes(name)),
    );
    expect(missing).toEqual([]);
  });

  it("secrets are Key Vault references, never plain values", () => {
    expect(plain.filter((name) => SECRETS.includes(name))).toEqual([]);
    for (const name of secret) expect(SECRETS).toContain(name);
  });

  it("the startup command runs the compiled production server of the bundle", () => {
    const startup = (declarations: BicepDeclaration[]) =>
      declarations.find((d) => d.keyword === "param" && d.name === "startupCommand")?.value;
    const command = "'node server/api/server.js'";
    expect(startup(main)).toEqual({ kind: "expression", text: command });
    expect(startup(parseBicep(read("infra/modules/appservice.bicep")))).toEqual({
      kind: "expression",
      text: command,
    });
    expect(moduleParams(main, "appService").entries.get("startupCommand")).toEqual({
      kind: "expression",
      text: "startupCommand",
    });
    // server/api/server.js in the bundle is api/server.ts compiled (dev/build.ts, tsconfig.build.json).
    expect(existsSync(join(root, "api/server.ts"))).toBe(true);
    const build = JSON.parse(read("tsconfig.build.json")) as { compilerOptions: { outDir: string } };
    expect(build.compilerOptions.outDir).toBe("dist/server");
  });

  it("every parameter main.bicep requires has a value in main.parameters.json, TEAMS_APP_ID included", () => {
    const parameters = JSON.parse(read("infra/main.parameters.json")) as {
      parameters: Record<string, { value: string }>;
    };
    const required = main.filter((d) => d.keyword === "param" && d.value === undefined).map((d) => d.name);
    for (const name of required) expect(Object.keys(parameters.parameters), name).toContain(name);
    expect(parameters.parameters.teamsAppId?.value).toBe(toolkitValue("TEAMS_APP_ID"));
    expect(objectAt(appSettings, "settings").entries.get("TEAMS_APP_ID")).toEqual({
      kind: "expression",
      text: "teamsAppId",
    });
  });
});

describe("the local Teams lifecycle writes what the server reads", () => {
  const lifecycle = parseYaml(read("teamsapp.local.yml")) as {
    deploy: { uses: string; with: { target: string; envs: Record<string, string | number> } }[];
  };
  const step = lifecycle.deploy.find((s) => s.uses === "file/createOrUpdateEnvironmentFile");

  it("writes .local/teams.env, the file npm start reads", () => {
    expect(step?.with.target).toBe("./.local/teams.env");
    expect(read("dev/start.ts")).toContain('join(LOCAL, "teams.env")');
  });

  it("names only variables of the configuration", () => {
    const names = Object.keys(step?.with.envs ?? {});
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
    expect(step?.with.envs.TEAMS_APP_ID).toBe(toolkitValue("TEAMS_APP_ID"));
    expect(step?.with.envs.PUBLIC_URL).toBe(toolkitValue("TAB_ENDPOINT"));
  });
});

function bicepFiles(dir: string): string[] {
  return readdirSync(join(root, dir))
    .filter((f) => f.endsWith(".bicep"))
    .map((f) => `${dir}/${f}`);
}
