/**
 * `npm run build`: the production bundle in dist/, deployable as it is.
 *
 *   dist/server/   the API and the bot compiled to JavaScript (tsc, tsconfig.build.json)
 *   dist/tab/      the tab as static files (Vite)
 *   dist/package.json   start = `node server/api/server.js`, and as dependencies exactly the packages the
 *                       compiled server imports (with the versions of ./package.json)
 *
 * The production server needs neither tsx nor Vite nor any development package; the build fails when the
 * compiled server imports a package that package.json lists only as a development dependency.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { productionImports } from "./server-imports.ts";

const root = resolve(import.meta.dirname, "..");
const dist = join(root, "dist");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

rmSync(dist, { recursive: true, force: true });
execFileSync(bin("tsc"), ["-p", join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
execFileSync(
  bin("vite"),
  [
    "build",
    "--config",
    "tab/vite.config.ts",
    "--outDir",
    join(dist, "tab"),
    "--emptyOutDir",
    "--logLevel",
    "warn",
  ],
  { stdio: "inherit", cwd: root },
);

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  version: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
};
const entry = join(dist, "server", "api", "server.js");
const imported = productionImports(entry);
const undeclared = imported.filter((name) => !pkg.dependencies[name]);
if (undeclared.length > 0) {
  console.error(
    `The compiled server imports packages that are not production dependencies: ${undeclared.join(", ")}.\nMove them to "dependencies" in package.json, or stop importing them from api/ and bot/.`,
  );
  process.exit(1);
}
writeFileSync(
  join(dist, "package.json"),
  `${JSON.stringify(
    {
      name: pkg.name,
      version: pkg.version,
      private: true,
      type: "module",
      engines: pkg.engines,
      scripts: { start: "node server/api/server.js" },
      dependencies: Object.fromEntries(imported.map((name) => [name, pkg.dependencies[name]])),
    },
    null,
    2,
  )}\n`,
);
// The lockfile pins the same versions the tests ran with; npm drops the entries dist/ does not need.
copyFileSync(join(root, "package-lock.json"), join(dist, "package-lock.json"));
console.log(`Built ${dist}: server, tab, package.json (${imported.length} dependencies)`);
