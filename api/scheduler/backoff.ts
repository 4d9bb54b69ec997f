/**
 * Quarantine for connections that keep failing for the same cause, after Entra ID's provisioning service:
 * instead of failing at the schedule's full rate forever, the next attempts come 6, 12 and then every
 * 24 hours after the last failure. A change of cause starts counting again; a success, or any change to
 * the connection (a new secret, a reauthorization, new settings), ends the quarantine at once.
 */
const HOUR = 3600_000;
const QUARANTINE_STEPS_MS = [6 * HOUR, 12 * HOUR, 24 * HOUR] as const;

export interface SlotBackoff {
  /** The failure's code: a task's error code, or the connection's reauthorization reason. */
  cause: string;
  /** Consecutive failures for this cause, as the scheduler saw them. */
  failures: number;
  since: string;
  lastFailureAt: string;
  /** The failed task already counted, so that one failure is never counted twice. */
  lastTaskId?: string;
  /** The connection's updatedAt when the failure was counted: a later change may be the fix. */
  connectionUpdatedAt: string;
  /** Whether credential failures are counted from the first (a run with lost credentials cannot start). */
  credential: boolean;
}

export interface Failure {
  cause: string;
  at: string;
  taskId?: string;
  connectionUpdatedAt: string;
  credential: boolean;
}

/** The backoff after a failure is seen; the same failed task seen again changes nothing. */
export function afterFailure(previous: SlotBackoff | undefined, failure: Failure): SlotBackoff {
  if (previous?.cause === failure.cause && failure.taskId && previous.lastTaskId === failure.taskId)
    return previous;
  const same = previous?.cause === failure.cause;
  return {
    cause: failure.cause,
    failures: same ? previous.failures + 1 : 1,
    since: same ? previous.since : failure.at,
    lastFailureAt: failure.at,
    ...(failure.taskId ? { lastTaskId: failure.taskId } : {}),
    connectionUpdatedAt: failure.connectionUpdatedAt,
    credential: failure.credential,
  };
}

/**
 * When the next attempt may start; undefined while the normal schedule applies. A failed run is tried
 * again once at the normal interval (a passing fault); a credential Entra ID refused is not.
 */
export function quarantinedUntil(backoff: SlotBackoff | undefined): number | undefined {
  if (!backoff) return undefined;
  const level = backoff.failures - (backoff.credential ? 1 : 2);
  if (level < 0) return undefined;
  const step = QUARANTINE_STEPS_MS[Math.min(level, QUARANTINE_STEPS_MS.length - 1)] as number;
  return Date.parse(backoff.lastFailureAt) + step;
}

/** Someone changed the connection since the failure was counted: that may be the fix, so try at once. */
export const changedSince = (backoff: SlotBackoff, connection: { updatedAt: string }) =>
  connection.updatedAt !== backoff.connectionUpdatedAt;
