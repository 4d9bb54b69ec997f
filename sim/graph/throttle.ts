import type { TenantState } from "../directory/state.ts";

/**
 * Graph's identity and access throttling: resource units (RU) per request, summed per app and tenant over
 * a sliding 10 s window, with a budget by tenant size (S < 50 users: 3,500; M up to 500: 5,000; L: 8,000).
 * Base costs: GET users 2, group members 3, transitive members 5, memberOf/transitiveMemberOf 2, anything
 * else 1; $select -1, $expand +1, $top under 20 -1; never below 1.
 */
export function resourceUnits(method: string, path: string, params: URLSearchParams): number {
  let cost = 1;
  if (method === "GET") {
    if (/^\/users\/?$/i.test(path)) cost = 2;
    else if (/^\/groups\/[^/]+\/members(\/|$)/i.test(path)) cost = 3;
    else if (/^\/groups\/[^/]+\/transitiveMembers(\/|$)/i.test(path)) cost = 5;
    else if (/^\/(me|users\/[^/]+)\/(memberOf|transitiveMemberOf|ownedObjects|licenseDetails)$/i.test(path))
      cost = 2;
    else if (/^\/oauth2PermissionGrants/i.test(path)) cost = 2;
  }
  if (params.has("$select")) cost -= 1;
  if (params.has("$expand")) cost += 1;
  const top = Number(params.get("$top"));
  if (params.has("$top") && top < 20) cost -= 1;
  return Math.max(1, cost);
}

function budgetFor(t: TenantState): number {
  const users = t.users.size;
  if (users < 50) return 3500;
  if (users <= 500) return 5000;
  return 8000;
}

const WINDOW_MS = 10_000;

export interface ThrottleDecision {
  allowed: boolean;
  retryAfterSeconds: number;
  /** Share of the budget used after this request (only meaningful when allowed). */
  usage: number;
}

export class Throttler {
  private readonly windows = new Map<string, { at: number; cost: number }[]>();

  constructor(
    private readonly clock: () => number,
    private readonly budgetOverride?: number,
  ) {}

  take(appId: string, tenant: TenantState, cost: number): ThrottleDecision {
    const now = this.clock();
    const key = `${appId}/${tenant.id}`;
    const budget = this.budgetOverride ?? budgetFor(tenant);
    const entries = (this.windows.get(key) ?? []).filter((e) => now - e.at < WINDOW_MS);
    this.windows.set(key, entries);
    const used = entries.reduce((s, e) => s + e.cost, 0);
    if (used + cost > budget) {
      // Wait until enough of the window has slid out to admit this request.
      let freed = 0;
      let until = now + WINDOW_MS;
      for (const e of entries) {
        freed += e.cost;
        if (used - freed + cost <= budget) {
          until = e.at + WINDOW_MS;
          break;
        }
      }
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
        usage: used / budget,
      };
    }
    entries.push({ at: now, cost });
    return { allowed: true, retryAfterSeconds: 0, usage: (used + cost) / budget };
  }

  reset(): void {
    this.windows.clear();
  }
}
