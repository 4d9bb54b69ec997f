import { resolve } from "node:path";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The layer rules of .dependency-cruiser.cjs (README, "Layout"), run through dependency-cruiser's own API:
 * against a fixture tree that breaks every rule on purpose, so a rule that stopped matching (a typo in a path,
 * a layer renamed) fails here, and against the real tree, which must break none.
 */
const FIXTURE = resolve("tests/fixtures/layer-violations");

async function cruiseTree(baseDir: string, sources: string[]): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions("./.dependency-cruiser.cjs");
  const { output } = await cruise(sources, { ...options, baseDir });
  return output as ICruiseResult;
}

const errorsOf = (result: ICruiseResult) =>
  result.summary.violations
    .filter((v) => v.rule.severity === "error")
    .map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)
    .sort();

describe("layer rules on imports that break them", () => {
  let found: string[];
  beforeAll(async () => {
    found = errorsOf(await cruiseTree(FIXTURE, ["api", "bot", "tab", "sim", "dev", "examples"]));
  });

  it.each([
    ["domain-imports-only-libraries", "api/domain/problem.ts -> api/sync/engine.ts"],
    ["retry-imports-only-domain", "api/retry/policy.ts -> api/graph/client.ts"],
    ["contract-imports-only-domain-and-zod", "api/contract/wire.ts -> api/store/documents.ts"],
    ["platform-imports-only-foundation", "api/logger.ts -> api/sync/engine.ts"],
    ["adapters-import-only-foundation", "api/store/documents.ts -> api/http/routes.ts"],
    ["adapters-import-only-foundation", "api/graph/client.ts -> api/store/documents.ts"],
    ["only-edges-import-edges", "api/store/documents.ts -> api/http/routes.ts"],
    ["edges-stay-apart", "bot/uses-routes.ts -> api/http/routes.ts"],
    ["only-composition-imports-app", "api/http/starts-app.ts -> api/app/start.ts"],
    ["config-read-by-composition-only", "api/http/starts-app.ts -> api/config/config.ts"],
    ["auth-below-connections", "api/auth/consent.ts -> api/connections/health.ts"],
    ["bot-reaches-the-server-through-ports", "bot/cards/new-card.ts -> api/store/documents.ts"],
    ["bot-reaches-the-server-through-ports", "bot/uses-routes.ts -> api/http/routes.ts"],
    ["tab-imports-contract-and-domain-only", "tab/src/screen.ts -> api/sync/engine.ts"],
    ["sim-imports-no-product-or-dev", "sim/simulator.ts -> dev/launcher.ts"],
    ["product-imports-no-tooling", "api/sync/uses-tooling.ts -> sim/simulator.ts"],
    ["examples-stand-alone", "examples/consumer.ts -> api/sync/engine.ts"],
    ["no-circular", "api/auth/consent.ts -> api/connections/health.ts"],
    ["no-folder-cycles", "api/auth -> api/connections"],
    ["not-to-unresolvable", "api/sync/unresolvable.ts -> ./nowhere.ts"],
  ])("%s reports %s", (rule, edge) => {
    expect(found).toContain(`${rule}: ${edge}`);
  });

  it("not-to-dev-dep reports a production import of a development-only package", () => {
    expect(found).toContainEqual(
      expect.stringMatching(
        /^not-to-dev-dep: api\/sync\/uses-dev-dependency\.ts -> .*node_modules\/vitest\//,
      ),
    );
  });

  it("reports nothing that a fixture file was not written to break", () => {
    const allowed = new Set([
      "api/domain/problem.ts",
      "api/retry/policy.ts",
      "api/contract/wire.ts",
      "api/logger.ts",
      "api/store/documents.ts",
      "api/graph/client.ts",
      "bot/uses-routes.ts",
      "api/http/starts-app.ts",
      "api/auth/consent.ts",
      "api/connections/health.ts",
      "api/auth",
      "api/connections",
      "bot/cards/new-card.ts",
      "tab/src/screen.ts",
      "sim/simulator.ts",
      "api/sync/uses-tooling.ts",
      "api/sync/unresolvable.ts",
      "api/sync/uses-dev-dependency.ts",
      "examples/consumer.ts",
    ]);
    expect(found.filter((v) => !allowed.has(v.split(": ")[1]?.split(" -> ")[0] ?? ""))).toEqual([]);
  });
});

describe("layer rules on the real tree", () => {
  it("finds no error", async () => {
    // The same folders as `npm run check:deps`.
    const sources = ["api", "bot", "tab", "sim", "dev", "bench", "examples"];
    expect(errorsOf(await cruiseTree(resolve("."), sources))).toEqual([]);
  });
});
