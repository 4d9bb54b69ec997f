import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const CONTRACT = join(ROOT, "api/contract");
const TAB = join(ROOT, "tab/src");

/** Pure schema and settings modules the contract may build on (zod and types only, no I/O). */
const CONTRACT_MAY_IMPORT = ["zod", "api/sync/settings.ts", "api/feed/public-shapes.ts"];

interface Import {
  from: string;
  typeOnly: boolean;
  /** The imported module relative to the repository root, or the package name. */
  target: string;
}

function importsOf(file: string): Import[] {
  const source = readFileSync(file, "utf8");
  const found: Import[] = [];
  for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^;]*?\sfrom\s+)?"([^"]+)";/gms)) {
    const spec = m[2] as string;
    const target = spec.startsWith(".") ? relative(ROOT, resolve(dirname(file), spec)) : spec;
    found.push({ from: relative(ROOT, file), typeOnly: Boolean(m[1]), target });
  }
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe("the wire contract's boundaries", () => {
  it("the contract imports only zod, itself and pure schema modules, never the server", () => {
    const outside = filesUnder(CONTRACT)
      .flatMap(importsOf)
      .filter((i) => !i.target.startsWith("api/contract/") && !CONTRACT_MAY_IMPORT.includes(i.target));
    expect(outside).toEqual([]);
  });

  it("the tab reaches into api/ only for the contract", () => {
    const outside = filesUnder(TAB)
      .flatMap(importsOf)
      .filter((i) => i.target.startsWith("api/") && !i.target.startsWith("api/contract/"));
    expect(outside).toEqual([]);
  });

  it("what the tab imports from the contract at run time carries no zod into its bundle", () => {
    const runtime = new Set(
      filesUnder(TAB)
        .flatMap(importsOf)
        .filter((i) => !i.typeOnly && i.target.startsWith("api/contract/"))
        .map((i) => i.target),
    );
    expect(runtime.size).toBeGreaterThan(0);
    const bundled = [...runtime].flatMap((module) =>
      importsOf(join(ROOT, module)).filter((i) => !i.typeOnly && !runtime.has(i.target)),
    );
    expect(bundled).toEqual([]);
  });
});
