/**
 * What the bot knows about tasks, connections and alerts: shapes owned by the bot and cut for its cards. The
 * composition root (api/app/bot-views.ts) maps stored documents onto them, so a change to how something is stored
 * stops at that mapping instead of reaching a card.
 */
import type { ConnectionStatus } from "../api/domain/connections.ts";
import type { Counters, TaskStatus, TaskTrigger, TaskType } from "../api/domain/tasks.ts";

/** What a person is told when something goes wrong: the cause, and what to do about it. */
export interface ProblemView {
  code: string;
  message: string;
  remedy: string;
}

// The statuses, types and counters are the domain's (api/domain): the cards label each value through a
// Record over these unions, so a new status fails to compile until the cards have a label for it.
export type { ConnectionStatus, TaskStatus, TaskTrigger, TaskType };

/** Records of one kind (users or lists) a run read, changed or skipped. */
export type CountersView = Counters;

export interface TaskCountersView {
  users: CountersView;
  lists: CountersView;
}

/** What the deletion guard would have removed when it stopped the run. */
interface HaltView {
  wouldDelete: number;
  wouldDeactivate: number;
  sample: string[];
  threshold: string;
}

export interface TaskView {
  id: string;
  connectionId: string;
  connectionName: string;
  taskType: TaskType;
  trigger: TaskTrigger;
  requestedBy: { name: string };
  status: TaskStatus;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress: { phase: string; processed: number; total?: number };
  counters: TaskCountersView;
  error?: ProblemView;
  halt?: HaltView;
  /** Set once an admin confirmed the removals of a halted run. */
  confirmedBy?: { name: string };
}

export interface ConnectionView {
  id: string;
  name: string;
  status: ConnectionStatus;
  /** How the connection signs in to Entra ID: its own app's secret, or an admin's delegated consent. */
  credential:
    | { kind: "app-secret"; clientId?: string; secretHint?: string }
    | { kind: "admin-consent"; adminUpn?: string; consentedAt?: string }
    | { kind: "scim" };
  statusProblem?: ProblemView & { since: string };
  warning?: ProblemView & { since: string };
  schedule: { enabled: boolean; intervalMinutes: number; quiet: boolean };
  nextRunAt?: string;
  lastTask?: { type: TaskType; status: TaskStatus; finishedAt?: string };
}

/** Something people should hear about, as raised by the service; the bot decides whether to post it. */
export interface AlertEvent {
  id: string;
  tenantId: string;
  kind: string;
  summary: string;
  taskId?: string;
  connectionId?: string;
  problem?: ProblemView;
}
