import type { AlertEvent, ConnectionView, CountersView, ProblemView, TaskView } from "../../bot/views.ts";
import type { Problem } from "../domain/problem.ts";
import type { Counters } from "../domain/tasks.ts";
import type { ConnectionDoc, EventDoc, TaskDoc } from "../store/documents.ts";

/**
 * Stored documents as the bot sees them. Field by field on purpose: a view carries only what cards use, so
 * checkpoints, secrets and whatever documents gain later never reach chat, and a renamed document field
 * breaks here rather than in a card.
 */

export const problemView = (p: Problem): ProblemView => ({
  code: p.code,
  message: p.message,
  remedy: p.remedy,
});

const sinceView = (p: Problem & { since: string }): ProblemView & { since: string } => ({
  ...problemView(p),
  since: p.since,
});

const countersView = (c: Counters): CountersView => ({
  processed: c.processed,
  created: c.created,
  updated: c.updated,
  unchanged: c.unchanged,
  deactivated: c.deactivated,
  deleted: c.deleted,
  restored: c.restored,
  skipped: c.skipped,
  errors: c.errors,
});

export function taskView(t: TaskDoc): TaskView {
  return {
    id: t.id,
    connectionId: t.connectionId,
    connectionName: t.connectionName,
    taskType: t.taskType,
    trigger: t.trigger,
    requestedBy: { name: t.requestedBy.name },
    status: t.status,
    createdAt: t.createdAt,
    ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
    ...(t.finishedAt !== undefined ? { finishedAt: t.finishedAt } : {}),
    progress: {
      phase: t.progress.phase,
      processed: t.progress.processed,
      ...(t.progress.total !== undefined ? { total: t.progress.total } : {}),
    },
    counters: { users: countersView(t.counters.users), lists: countersView(t.counters.lists) },
    ...(t.error ? { error: problemView(t.error) } : {}),
    ...(t.halt
      ? {
          halt: {
            wouldDelete: t.halt.wouldDelete,
            wouldDeactivate: t.halt.wouldDeactivate,
            sample: [...t.halt.sample],
            threshold: t.halt.threshold,
          },
        }
      : {}),
    ...(t.confirmedBy ? { confirmedBy: { name: t.confirmedBy.name } } : {}),
  };
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
    ...(c.statusProblem ? { statusProblem: sinceView(c.statusProblem) } : {}),
    ...(c.warning ? { warning: sinceView(c.warning) } : {}),
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

export function alertEvent(e: EventDoc): AlertEvent {
  return {
    id: e.id,
    tenantId: e.tenantId,
    kind: e.kind,
    summary: e.summary,
    ...(e.taskId ? { taskId: e.taskId } : {}),
    ...(e.connectionId ? { connectionId: e.connectionId } : {}),
    ...(e.problem ? { problem: problemView(e.problem) } : {}),
  };
}
