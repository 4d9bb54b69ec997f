import type { AzureRu } from "./azure-ru.ts";
import type { RunResult, SizeResult } from "./bench.ts";
import { formatCount, formatDuration, formatMb, formatPercent, formatRatio } from "./format.ts";
import { describeKill, killWhere } from "./kill.ts";
import type { ResumeCheck } from "./resume.ts";

const COLUMNS: { title: string; cell: (r: RunResult) => string; left?: boolean }[] = [
  { title: "run", cell: (r) => (r.status === "succeeded" ? r.run : `${r.run} (${r.status})`), left: true },
  { title: "wall time", cell: (r) => formatDuration(r.wallMs) },
  { title: "Graph requests", cell: (r) => formatCount(r.graph.requests) },
  { title: "lower bound", cell: (r) => formatCount(r.lowerBound) },
  { title: "ratio", cell: (r) => formatRatio(r.ratio) },
  { title: "429s", cell: (r) => formatCount(r.graph.throttled) },
  { title: "Cosmos ops", cell: (r) => formatCount(r.cosmos.operations) },
  { title: "dir writes", cell: (r) => formatCount(r.cosmos.directoryWrites) },
  { title: "RU", cell: (r) => formatCount(r.cosmos.requestUnits) },
  { title: "Azure RU (est.)", cell: (r) => (r.cosmos.azure ? formatCount(r.cosmos.azure.total) : "") },
  { title: "records/s", cell: (r) => formatCount(r.recordsPerSecond) },
  { title: "peak RSS", cell: (r) => formatMb(r.peakRssBytes) },
];

/** One aligned text table per size, with the tenant's shape above and the incremental ratios below. */
export function formatSize(result: SizeResult): string {
  const { size } = result;
  const rows = [COLUMNS.map((c) => c.title), ...result.runs.map((r) => COLUMNS.map((c) => c.cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (COLUMNS[i]?.left ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const full = find(result, "full");
  const changed = find(result, "incremental, 1% changed");
  const c = result.changes;
  return [
    `${size.name}: ${formatCount(size.users)} users, ${formatCount(size.groups)} groups, ${formatCount(result.bound.memberEdges)} memberships ` +
      `(${formatCount(size.nestedGroups)} nested), Graph latency ${result.latencyMs} ms, setup ${formatDuration(result.setupMs)}` +
      (result.cosmosQueriesPatched
        ? ""
        : "\n(local Cosmos query engine NOT patched: queries are quadratic in container size)"),
    line(rows[0] as string[]),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.slice(1).map(line),
    ...result.runs.map(
      (r) =>
        `${r.run}: waiting for Graph ${formatDuration(r.waits.graphMs)}, for Cosmos ${formatDuration(r.waits.cosmosMs)}; ` +
        `CPU: worker ${formatDuration(r.workerCpuMs)}, simulator + Cosmos server ${formatDuration(r.standinsCpuMs)}`,
    ),
    ...result.runs.flatMap((r) => {
      const phases = r.phases.filter((p) => p.peakRssBytes && p.ms >= 1000);
      return phases.length > 0
        ? [
            `${r.run}: peak RSS by phase: ${phases.map((p) => `${p.phase} ${formatMb(p.peakRssBytes ?? 0)}`).join(", ")}`,
          ]
        : [];
    }),
    ...result.runs.flatMap((r) => (r.cosmos.azure ? [`${r.run}: ${describeAzureRu(r.cosmos.azure)}`] : [])),
    ...result.runs.flatMap(describeResume),
    c
      ? `changes: ${c.updated} updated, ${c.disabled} disabled, ${c.added} added, ${c.softDeleted + c.hardDeleted} deleted users; ` +
        `${c.membersAdded} memberships added, ${c.membersRemoved} removed`
      : full?.status === "succeeded"
        ? "only the full sync was run"
        : "incremental runs skipped: the full sync did not succeed",
    full && changed
      ? `incremental after 1% changes: ${formatPercent(changed.wallMs / full.wallMs)} of the full sync's time, ` +
        `${formatPercent(changed.graph.requests / full.graph.requests)} of its requests`
      : "",
  ].join("\n");
}

export interface Verdict {
  target: string;
  /** undefined: not measured in this run (for example 100k was not among the sizes). */
  pass: boolean | undefined;
  detail: string;
}

const FIVE_MINUTES = 5 * 60_000;
const ONE_GB = 1024 ** 3;

/** The issue's targets, judged on what was measured; a miss is reported, never fatal. */
export function verdicts(results: SizeResult[]): Verdict[] {
  const every = (check: (r: SizeResult) => [boolean, string]) => {
    const checks = results.map((r) => ({ size: r.size.name, ...toObj(check(r)) }));
    return {
      pass: checks.length ? checks.every((c) => c.ok) : undefined,
      detail: checks.map((c) => `${c.size}: ${c.text}`).join("; "),
    };
  };
  const large = results.find((r) => r.size.users >= 100_000);
  const largest = [...results].sort((a, b) => b.size.users - a.size.users)[0];
  const largeFull = large && find(large, "full");
  const allRuns = results.flatMap((r) => r.runs);
  const failed = allRuns.reduce((n, r) => n + r.graph.failedAfterRetries, 0);
  const peak = Math.max(0, ...allRuns.map((r) => r.peakRssBytes));
  // With --full-only the other runs are not measured, which is neither a pass nor a miss.
  const ran = (name: RunResult["run"]) => results.some((r) => find(r, name));
  const unlessRun = (name: RunResult["run"], verdict: Omit<Verdict, "target">) =>
    ran(name) ? verdict : { pass: undefined, detail: "not run" };
  return [
    {
      target: "full sync of 100k users / 5k groups / 250k memberships under 5 minutes",
      pass: largeFull ? largeFull.status === "succeeded" && largeFull.wallMs < FIVE_MINUTES : undefined,
      detail: largeFull ? formatDuration(largeFull.wallMs) : "100k not among the sizes",
    },
    {
      target: "full sync Graph requests within 1.2x of the lower bound",
      ...every((r) => {
        const f = find(r, "full") as RunResult;
        return [
          f.ratio <= 1.2,
          `${formatRatio(f.ratio)} (${formatCount(f.graph.requests)}/${formatCount(f.lowerBound)})`,
        ];
      }),
    },
    {
      target: "zero failed requests after retries",
      pass: allRuns.length ? failed === 0 && allRuns.every((r) => r.status === "succeeded") : undefined,
      detail: `${failed} failed; ${formatCount(allRuns.reduce((n, r) => n + r.graph.throttled, 0))} 429s received, all retried`,
    },
    {
      target: "sync worker peak RSS under 1 GB",
      pass: allRuns.length ? peak < ONE_GB : undefined,
      detail: formatMb(peak),
    },
    {
      // Judged on the largest tenant: a small one's full sync is so short that a run's fixed cost (token,
      // delta links, the task document) dominates; smaller sizes are listed for comparison.
      target: "incremental after 1% changes under 10% of the full sync's time and requests",
      ...unlessRun("incremental, 1% changed", {
        pass: largest ? incrementalShare(largest).ok : undefined,
        detail: [...results]
          .reverse()
          .map((r) => `${r.size.name}: ${incrementalShare(r).text}`)
          .join("; "),
      }),
    },
    {
      target: "unchanged tenant: one delta request per resource and zero directory writes",
      ...unlessRun(
        "incremental, no changes",
        every((r) => {
          const q = find(r, "incremental, no changes");
          if (!q) return [false, "not run"];
          const routes = q.graph.byRoute;
          const ok =
            q.graph.requests === 2 &&
            routes["GET /users/delta"] === 1 &&
            routes["GET /groups/delta"] === 1 &&
            q.cosmos.directoryWrites === 0;
          return [ok, `${q.graph.requests} requests, ${q.cosmos.directoryWrites} writes`];
        }),
      ),
    },
    {
      target: "killed full sync resumed with the same directory and counters as an uninterrupted run",
      ...unlessRun(
        "full, killed and resumed",
        every((r) => {
          const run = find(r, "full, killed and resumed");
          const k = run?.resume;
          if (!run || !k) return [false, "not run"];
          const where = `killed at ${formatPercent(k.kill.fraction)} of the full sync's time ${killWhere(k.kill)}`;
          return [
            k.identical,
            k.identical ? `same, ${where}` : `${resumeMismatches(run).join(", ")}; ${where}`,
          ];
        }),
      ),
    },
  ];
}

/** Where an Azure RU estimate comes from: writes per container with their mean size, reads, queries. */
function describeAzureRu(ru: AzureRu): string {
  const containers = Object.entries(ru.written)
    .sort((a, b) => b[1].ru - a[1].ru)
    .map(
      ([name, w]) =>
        `${name} ${formatCount(w.ru)} (${formatCount(w.documents)} × ${formatCount(w.meanBytes)} B)`,
    )
    .join(", ");
  return `Azure RU (est.) ${formatCount(ru.total)}: writes ${formatCount(ru.writes)} [${containers}], point reads ${formatCount(ru.pointReads)}, queries ${formatCount(ru.queries)}`;
}

const find = (r: SizeResult, name: RunResult["run"]) => r.runs.find((x) => x.run === name);

/** Below the table: where the worker died, what each part cost, and how the result compares. */
function describeResume(run: RunResult): string[] {
  const check = run.resume;
  if (!check) return [];
  const { directory: d, createdRecords: created } = check;
  const counts = `${formatCount(d.profiles.resumed)} profiles, ${formatCount(d.lists.resumed)} lists, ${formatCount(d.memberships.resumed)} memberships, ${formatCount(created.resumed)} created records`;
  return [
    `full, killed and resumed: ${describeKill(check.kill)}; ` +
      (check.takenOver
        ? `the survivor took over ${formatDuration(check.takeoverMs)} later`
        : "never taken over"),
    `  its row is the survivor's part, Graph requests aside: ${formatCount(check.graphRequests.killed)} before the kill + ${formatCount(check.graphRequests.resumed)} after`,
    check.identical
      ? `  same as the uninterrupted full sync: status, counters, ${counts}`
      : `  NOT the same as the uninterrupted full sync: ${resumeMismatches(run).join("; ")}`,
  ];
}

function resumeMismatches(run: RunResult): string[] {
  const check = run.resume as ResumeCheck;
  const { kill, directory, createdRecords: created } = check;
  const out: string[] = [];
  if (kill.status !== "running" && kill.status !== "queued") out.push(`not killed mid-run (${kill.status})`);
  else if (!check.takenOver) out.push("the survivor never took the task over");
  else if (run.status !== "succeeded") out.push(`the resumed task ${run.status}`);
  if (!check.sameCounters) out.push("counters differ");
  for (const [name, c] of Object.entries(directory))
    if (c.missing || c.extra) out.push(`${name}: ${c.missing} missing, ${c.extra} extra`);
  if (created.resumed !== created.uninterrupted)
    out.push(`${formatCount(created.resumed)} created records, not ${formatCount(created.uninterrupted)}`);
  return out;
}

const toObj = ([ok, text]: [boolean, string]) => ({ ok, text });

function incrementalShare(r: SizeResult): { ok: boolean; text: string } {
  const full = find(r, "full") as RunResult;
  const changed = find(r, "incremental, 1% changed");
  if (!changed) return { ok: false, text: "not run" };
  const time = changed.wallMs / full.wallMs;
  const requests = changed.graph.requests / full.graph.requests;
  return {
    ok: changed.status === "succeeded" && time < 0.1 && requests < 0.1,
    text: `${formatPercent(time)} time, ${formatPercent(requests)} requests`,
  };
}

export function formatVerdicts(list: Verdict[]): string {
  return list
    .map((v) => `${v.pass === undefined ? "n/a " : v.pass ? "PASS" : "FAIL"}  ${v.target}: ${v.detail}`)
    .join("\n");
}
