import type { RunningApi } from "../api/app/start.ts";
import type { CreatedConnection } from "../api/contract/connections.ts";
import { startBenchApi } from "./bench-api.ts";
import { percentile } from "./live-latency.ts";
import { planScimDirectory, type ScimDirectoryPlan } from "./scim-directory.ts";
import { runScimLoad, type ScimLoadResult, type ScimRequestKind } from "./scim-load.ts";
import { sizeOf, type TenantSize } from "./sizes.ts";
import { startStandins } from "./standins.ts";

export interface ScimBenchOptions {
  concurrency?: number;
  memberBatch?: number;
  /** Sends the whole cycle a second time, as Entra replays after a restart: it must create nothing. */
  replay?: boolean;
  progress?: NodeJS.WriteStream;
}

/** What the store holds after the run, against the plan: nothing lost, nothing twice. */
interface ScimVerdict {
  profiles: { expected: number; stored: number; lost: number; duplicated: number; inactive: number };
  lists: { expected: number; stored: number; lost: number; duplicated: number };
  memberships: { expected: number; stored: number; lost: number; duplicated: number };
  /** Lists whose memberCount differs from the members the plan gave them. */
  wrongMemberCounts: number;
}

export interface ScimBenchResult {
  size: TenantSize;
  concurrency: number;
  load: Omit<ScimLoadResult, "userIds" | "groupIds">;
  verdict: ScimVerdict;
  /** Provisioning-cycle tasks (trigger scim) History shows for the run. */
  cycleTasks: number;
  /** With `replay`: the second cycle's requests, and how many of them were creations (POST). */
  replay?: { requests: number; creates: number };
}

/** Counts what a list of keys lost against the expected ones and how many it holds more than once. */
function compare(expected: Iterable<string>, stored: string[]) {
  const seen = new Set(stored);
  let lost = 0;
  let count = 0;
  for (const key of expected) {
    count++;
    if (!seen.has(key)) lost++;
  }
  return { expected: count, stored: stored.length, lost, duplicated: stored.length - seen.size };
}

/**
 * Checks the store against the plan. Keys are the Entra object ids (externalId); a record the endpoint keyed
 * by its own SCIM id is translated back through the ids it answered, so the check does not depend on which.
 */
async function verify(
  api: RunningApi,
  tenantId: string,
  connectionId: string,
  plan: ScimDirectoryPlan,
  load: ScimLoadResult,
): Promise<ScimVerdict> {
  const byScimId = new Map<string, string>([
    ...load.userIds.map((id, i) => [id, plan.users[i]?.externalId as string] as const),
    ...load.groupIds.map((id, i) => [id, plan.groups[i]?.externalId as string] as const),
  ]);
  const key = (sourceId: string) => byScimId.get(sourceId) ?? sourceId;
  const where = "c.connectionId = @c AND c.status != 'deleted'";
  const parameters = [{ name: "@c", value: connectionId }];

  const profiles = (await api.store.profiles.all(tenantId, {
    where,
    parameters,
    select: "c.sourceId, c.status",
  })) as unknown as { sourceId: string; status: string }[];
  const lists = (await api.store.lists.all(tenantId, {
    where,
    parameters,
    select: "c.sourceId, c.memberCount",
  })) as unknown as { sourceId: string; memberCount: number }[];
  const edges = (await api.store.memberships.all(tenantId, {
    where: "c.connectionId = @c",
    parameters,
    select: "c.listSourceId, c.memberSourceId",
  })) as unknown as { listSourceId: string; memberSourceId: string }[];

  const planned = new Map(plan.groups.map((g) => [g.externalId, g.members.length]));
  const expectedEdges = plan.groups.flatMap((g) =>
    g.members.map((m) => `${g.externalId}|${plan.users[m]?.externalId}`),
  );
  return {
    profiles: {
      ...compare(
        plan.users.map((u) => u.externalId),
        profiles.map((p) => key(p.sourceId)),
      ),
      inactive: profiles.filter((p) => p.status !== "active").length,
    },
    lists: compare(
      plan.groups.map((g) => g.externalId),
      lists.map((l) => key(l.sourceId)),
    ),
    memberships: compare(
      expectedEdges,
      edges.map((e) => `${key(e.listSourceId)}|${key(e.memberSourceId)}`),
    ),
    wrongMemberCounts: lists.filter((l) => planned.get(key(l.sourceId)) !== l.memberCount).length,
  };
}

/**
 * `npm run bench -- --scim`: a SCIM connection made through the API as an admin makes it, its tenant URL and
 * first token given to a load generator shaped like Entra's provisioning service, which provisions `size`
 * (users, groups, memberships); then the store is checked against what was sent.
 */
export async function benchScim(size: TenantSize, options: ScimBenchOptions = {}): Promise<ScimBenchResult> {
  const log = (line: string) => options.progress?.write(`${size.name} SCIM: ${line}\n`);
  // The simulator only signs the admin in here: nothing is read from Graph in push mode.
  const standins = await startStandins({ size: sizeOf(10), latencyMs: 0 });
  const sim = standins.simulator;
  if (!sim) throw new Error("the SCIM benchmark needs the simulator in this process");
  const { info } = standins;
  let api: RunningApi | undefined;
  try {
    const started = await startBenchApi(
      sim,
      info,
      {
        endpoint: info.cosmosEndpoint,
        key: info.cosmosKey,
        database: `bench-scim-${size.name}-${Date.now()}`,
      },
      { rejectErrors: true },
    );
    api = started.api;
    const running = api;
    // An error status throws with the API's answer; a success carries the SCIM token, so it is never printed.
    const connection = (await started.call("/api/connections", {
      method: "POST",
      json: { name: "SCIM benchmark", kind: "scim" },
    })) as unknown as CreatedConnection;
    if (!connection.scim) throw new Error("creating the SCIM connection answered no tenant URL and token");

    const plan = planScimDirectory(size);
    const concurrency = options.concurrency ?? 10;
    log(
      `${plan.users.length} users, ${plan.groups.length} groups, ${plan.memberships} memberships, ${concurrency} in flight`,
    );
    const loadOptions = {
      // The API answers on its own address; the tenant URL names the public one, which may differ.
      tenantUrl: `${running.url}${new URL(connection.scim.tenantUrl).pathname}`,
      token: connection.scim.token,
      concurrency,
      memberBatch: options.memberBatch ?? 20,
      progress: log,
    };
    const load = await runScimLoad(plan, loadOptions);
    let replay: ScimBenchResult["replay"];
    if (options.replay) {
      log("the same cycle again");
      const again = await runScimLoad(plan, loadOptions);
      replay = {
        requests: again.requests,
        creates: again.latencies["POST user"].length + again.latencies["POST group"].length,
      };
    }
    const verdict = await verify(running, info.tenantId, connection.id, plan, load);
    const cycleTasks = await running.store.tasks.count(info.tenantId, {
      where: "c.type = 'task' AND c.connectionId = @c AND c.trigger = 'scim'",
      parameters: [{ name: "@c", value: connection.id }],
    });
    const { userIds: _u, groupIds: _g, ...counts } = load;
    return { size, concurrency, load: counts, verdict, cycleTasks, ...(replay ? { replay } : {}) };
  } finally {
    await api?.close();
    await standins.close();
  }
}

const ms = (v: number) => (Number.isNaN(v) ? "—" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

export function formatScim(result: ScimBenchResult): string {
  const { load, verdict: v, size } = result;
  const all = Object.values(load.latencies)
    .flat()
    .sort((a, b) => a - b);
  const rows = (Object.entries(load.latencies) as [ScimRequestKind, number[]][]).map(([kind, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `  ${kind.padEnd(22)}${String(values.length).padStart(8)}${ms(percentile(sorted, 50)).padStart(10)}${ms(percentile(sorted, 99)).padStart(10)}`;
  });
  const seconds = load.wallMs / 1000;
  const check = (name: string, c: { expected: number; stored: number; lost: number; duplicated: number }) =>
    `  ${name.padEnd(12)} expected ${c.expected}, stored ${c.stored}, lost ${c.lost}, duplicated ${c.duplicated}`;
  return [
    `${size.name} SCIM push (${size.users} users, ${size.groups} groups), Entra-shaped load, ${result.concurrency} in flight:`,
    `  ${"request".padEnd(22)}${"count".padStart(8)}${"p50".padStart(10)}${"p99".padStart(10)}`,
    ...rows,
    `  ${"all".padEnd(22)}${String(load.requests).padStart(8)}${ms(percentile(all, 50)).padStart(10)}${ms(percentile(all, 99)).padStart(10)}`,
    `  ${load.requests} requests in ${seconds.toFixed(1)} s: ${(load.requests / seconds).toFixed(0)} requests/s (Entra asks for 25 per tenant); ${load.throttled} answered 429, ${load.retried} retried after 5xx`,
    check("profiles", v.profiles),
    check("lists", v.lists),
    check("memberships", v.memberships),
    `  ${v.profiles.inactive} profiles not active, ${v.wrongMemberCounts} lists with a wrong member count, ${result.cycleTasks} provisioning-cycle task(s) in History`,
  ].join("\n");
}
