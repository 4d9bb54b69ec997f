import { guidFrom } from "../sim/ids.ts";
import { generatedTenant, startSimulator } from "../sim/index.ts";
import { ensureLocalCertificate } from "../sim/tls.ts";
import { registerCustomerApp } from "./customer-app.ts";
import { formatDuration } from "./format.ts";
import { percentile } from "./live-latency.ts";
import type { TenantSize } from "./sizes.ts";

/**
 * The simulator's own cost of a first `/users/delta` round (100 users a page, no added latency, no
 * throttling): what a client reading users through delta waits for the simulator alone. A round stops being
 * timed after `budgetMs`, so a slow simulator is measured on its first pages instead of for hours.
 */
export interface SimDeltaResult {
  size: TenantSize;
  users: number;
  pages: number;
  /** Pages timed; fewer than `pages` when the budget ran out first. */
  timedPages: number;
  firstPageMs: number;
  laterPagesP50Ms: number;
  laterPagesMaxMs: number;
  /** The whole round, when it finished within the budget. */
  roundMs?: number;
  /** A `/users` page of the same size, for comparison. */
  usersPageMs: number;
}

const PAGE = 100;

export async function benchSimDelta(size: TenantSize, budgetMs = 120_000): Promise<SimDeltaResult> {
  const tls = await ensureLocalCertificate(".local/tls");
  const tenant = generatedTenant({ ...size, seed: 42 });
  const app = { clientId: guidFrom("bench-delta-app"), clientSecret: "bench-delta-secret" };
  registerCustomerApp(tenant, app, "Delta benchmark");
  const sim = await startSimulator({ tls: { cert: tls.cert, key: tls.key }, tenants: [tenant] });
  try {
    const tokenResponse = await fetch(`${sim.url}/${tenant.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        ...{ client_id: app.clientId, client_secret: app.clientSecret },
        scope: "https://graph.microsoft.com/.default",
      }),
    });
    const token = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const get = async (url: string) => {
      const started = performance.now();
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, prefer: `odata.maxpagesize=${PAGE}` },
      });
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as Record<string, unknown>;
      return { body, ms: performance.now() - started };
    };
    const select = "$select=id,displayName,mail,userPrincipalName,accountEnabled,jobTitle,department";
    const usersPage = await get(`${sim.url}/v1.0/users?$top=${PAGE}&${select}`);
    const times: number[] = [];
    const roundStart = performance.now();
    let next: string | undefined = `${sim.url}/v1.0/users/delta?${select}`;
    while (next && performance.now() - roundStart < budgetMs) {
      const { body, ms } = await get(next);
      times.push(ms);
      next = body["@odata.nextLink"] as string | undefined;
    }
    const later = times.slice(1).sort((a, b) => a - b);
    return {
      size,
      users: size.users,
      pages: Math.ceil(size.users / PAGE),
      timedPages: times.length,
      firstPageMs: times[0] ?? Number.NaN,
      laterPagesP50Ms: percentile(later, 50),
      laterPagesMaxMs: later.at(-1) ?? Number.NaN,
      ...(next ? {} : { roundMs: performance.now() - roundStart }),
      usersPageMs: usersPage.ms,
    };
  } finally {
    await sim.close();
  }
}

export function formatSimDelta(results: SimDeltaResult[]): string {
  const lines = [
    "Simulator, first /users/delta round (100 users a page)",
    "| users | pages timed | first page | later pages p50 | later pages max | whole round | a /users page |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const ms = (n: number) => (Number.isFinite(n) ? formatDuration(n) : "-");
    lines.push(
      `| ${r.size.name} | ${r.timedPages} of ${r.pages} | ${ms(r.firstPageMs)} | ${ms(r.laterPagesP50Ms)} | ${ms(r.laterPagesMaxMs)} | ${r.roundMs === undefined ? "not finished" : formatDuration(r.roundMs)} | ${ms(r.usersPageMs)} |`,
    );
  }
  return lines.join("\n");
}
