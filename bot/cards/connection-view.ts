import type { Problem } from "../../api/domain/problem.ts";
import type { TaskStatus, TaskType } from "../../api/domain/tasks.ts";
import type { ConnectionDoc } from "../../api/store/documents.ts";

/**
 * What a card may say about a connection, and nothing more: cards are built from this view rather than the
 * stored document, so a change to how connections are stored never reaches a card.
 */
export interface ConnectionView {
  id: string;
  name: string;
  status: ConnectionDoc["status"];
  /** How the connection signs in to Entra ID: its own app's secret, or an admin's delegated consent. */
  credential:
    | { kind: "app-secret"; clientId?: string; secretHint?: string }
    | { kind: "admin-consent"; adminUpn?: string; consentedAt?: string }
    | { kind: "scim" };
  statusProblem?: Problem & { since: string };
  warning?: Problem & { since: string };
  schedule: { enabled: boolean; intervalMinutes: number; quiet: boolean };
  nextRunAt?: string;
  lastTask?: { type: TaskType; status: TaskStatus; finishedAt?: string };
}

export function connectionView(c: ConnectionDoc): ConnectionView {
  const credential: ConnectionView["credential"] =
    c.kind === "graph-app"
      ? {
          kind: "app-secret",
          ...(c.clientId ? { clientId: c.clientId } : {}),
          ...(c.secretHint ? { secretHint: c.secretHint } : {}),
        }
      : c.kind === "scim"
        ? { kind: "scim" }
        : {
            kind: "admin-consent",
            ...(c.consent ? { adminUpn: c.consent.adminUpn, consentedAt: c.consent.consentedAt } : {}),
          };
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    credential,
    ...(c.statusProblem ? { statusProblem: c.statusProblem } : {}),
    ...(c.warning ? { warning: c.warning } : {}),
    schedule: {
      enabled: c.schedule.enabled,
      intervalMinutes: c.schedule.intervalMinutes,
      quiet: c.schedule.quiet,
    },
    ...(c.nextRunAt ? { nextRunAt: c.nextRunAt } : {}),
    ...(c.lastTask
      ? {
          lastTask: {
            type: c.lastTask.type,
            status: c.lastTask.status,
            ...(c.lastTask.finishedAt ? { finishedAt: c.lastTask.finishedAt } : {}),
          },
        }
      : {}),
  };
}

/**
 * What the schedule does now. A connection waiting for reauthorization keeps its schedule, but the scheduler
 * skips its runs (they could only fail) until an admin signs in again; both cards say the same.
 */
export function scheduleText(c: ConnectionView): string {
  if (c.status === "inactive") return "Off: the connection is switched off";
  if (!c.schedule.enabled) return "Paused";
  const every = `Every ${c.schedule.intervalMinutes === 1 ? "minute" : `${c.schedule.intervalMinutes} min`}`;
  if (c.status === "needs-reauth") return `${every}, skipped until the connection is reauthorized`;
  return `${every}${c.schedule.quiet ? ", quiet (posts only changes and problems)" : ""}`;
}
