import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { SizeResult } from "./bench.ts";
import type { Verdict } from "./report.ts";

const RESULTS_DIR = "bench/results";

/** Writes one run's results as JSON, named by its start time, so runs can be compared later. */
export function saveResults(
  startedAt: Date,
  argv: string[],
  sizes: SizeResult[],
  verdicts: Verdict[],
): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  // ISO 8601 with the colons replaced, so the name is valid on every file system.
  const file = join(RESULTS_DIR, `${startedAt.toISOString().replace(/:/g, "-")}.json`);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "",
    memoryBytes: totalmem(),
    node: process.version,
  };
  const code = {
    commit: git("rev-parse", "HEAD"),
    uncommittedInApi: git("status", "--porcelain", "api") !== "",
  };
  const all = { startedAt: startedAt.toISOString(), argv, machine, code, sizes, verdicts };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  return file;
}

/** Which code was measured: a comparison across runs needs to know. */
function git(...args: string[]): string {
  try {
    return execFileSync("git", args, { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}
