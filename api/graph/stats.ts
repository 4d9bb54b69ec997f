/** What a sync cost in Graph terms; reported per task and by the benchmark. */
export interface GraphStats {
  requests: number;
  throttled: number;
  retries: number;
  batchedRequests: number;
}

export const emptyGraphStats = (): GraphStats => ({
  requests: 0,
  throttled: 0,
  retries: 0,
  batchedRequests: 0,
});
