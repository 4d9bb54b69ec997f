import { describe, expect, it } from "vitest";
import { parseArgs } from "../../bench/args.ts";
import { benchLocalStack, formatLocalStack } from "../../bench/local-stack.ts";
import { benchSimDelta, formatSimDelta } from "../../bench/sim-delta.ts";
import { sizeOf } from "../../bench/sizes.ts";

// Structure only: the benchmark reports time, tests never assert it.
describe("npm run bench -- --local-stack and --sim-delta, on a 300-user tenant", () => {
  it("times every tab's pages and a restart that brings back every saved document", async () => {
    expect(parseArgs(["--local-stack", "--sizes", "300"]).localStack).toBe(true);
    const result = await benchLocalStack(sizeOf(300));
    expect(result.tabs.map((t) => t.tab)).toEqual([
      "people",
      "lists",
      "list members",
      "history",
      "task records",
    ]);
    for (const tab of result.tabs) expect(tab.calls).toBeGreaterThan(0);
    // Pages after the first were followed: 300 people are more than one page of 50.
    expect(result.tabs.find((t) => t.tab === "people")?.calls).toBeGreaterThan(12);
    expect(result.documents).toBeGreaterThan(300);
    // A restored count that differs from the saved one is reported as a note.
    expect(result.notes.filter((n) => n.startsWith("restored"))).toEqual([]);
    expect(formatLocalStack(result)).toContain("| restart: load saved data |");
  });

  it("reads a whole first delta round", async () => {
    expect(parseArgs(["--sim-delta"]).simDelta).toBe(true);
    const result = await benchSimDelta(sizeOf(300));
    expect(result.pages).toBe(3);
    expect(result.timedPages).toBe(3);
    expect(result.roundMs).toBeDefined();
    expect(formatSimDelta([result])).toContain("| 300 | 3 of 3 |");
  });
});
