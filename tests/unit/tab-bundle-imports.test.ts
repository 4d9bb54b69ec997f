import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const TAB = join(ROOT, "tab/src");

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

/**
 * dependency-cruiser holds which folders the tab and the contract may import (npm run check:deps); this
 * holds what that cannot see: the tab's browser bundle gets the contract's types for free, but whatever it
 * imports as a value must not pull zod in.
 */
describe("the wire contract in the tab's bundle", () => {
  it("what the tab imports from the server's folders at run time carries no zod", () => {
    const runtime = new Set(
      filesUnder(TAB)
        .flatMap(importsOf)
        .filter((i) => !i.typeOnly && /^api\/(contract|domain)\//.test(i.target))
        .map((i) => i.target),
    );
    expect(runtime.size).toBeGreaterThan(0);
    const bundled = [...runtime].flatMap((module) =>
      importsOf(join(ROOT, module)).filter((i) => !i.typeOnly && !runtime.has(i.target)),
    );
    expect(bundled).toEqual([]);
  });
});
