/** Counters tests and benchmarks read: requests per route, 429s sent, resource units consumed. */
export interface SimStats {
  /** Graph requests by route template, e.g. "GET /users" or "GET /groups/{id}/members"; batch parts included. */
  requests: Record<string, number>;
  totalRequests: number;
  /** Identity (token endpoint) requests by grant type. */
  tokenRequests: Record<string, number>;
  throttled: number;
  resourceUnits: number;
  faultsInjected: number;
  reset(): void;
}

export function createStats(): SimStats {
  const stats: SimStats = {
    requests: {},
    totalRequests: 0,
    tokenRequests: {},
    throttled: 0,
    resourceUnits: 0,
    faultsInjected: 0,
    reset() {
      stats.requests = {};
      stats.totalRequests = 0;
      stats.tokenRequests = {};
      stats.throttled = 0;
      stats.resourceUnits = 0;
      stats.faultsInjected = 0;
    },
  };
  return stats;
}
