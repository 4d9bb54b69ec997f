import type { Actor } from "../api/domain/actor.ts";
import type { Problem } from "../api/domain/problem.ts";
import type { TaskType } from "../api/domain/tasks.ts";
import type { ConnectionDoc, TaskDoc } from "../api/store/documents.ts";

export interface StartRequest {
  /** Commands ask for full, users, lists or preview; Retry repeats whatever failed, incremental included. */
  type: TaskType;
  trigger: "bot";
  requestedBy: Actor;
}

export type StartResult = { task: TaskDoc } | { alreadyRunning: TaskDoc } | { problem: Problem };

export interface WhyAnswer {
  verdict: string;
  details: string[];
}

/**
 * What the bot needs from the sync service. The composition root implements it over the real service, so the
 * bot never duplicates sync logic and never depends on how the engine is wired. Methods that change state
 * throw a Problem-shaped error (code, message, remedy) when they refuse.
 */
export interface SyncPort {
  /** Without a connection id the service picks the tenant's only connection, or answers with a problem. */
  startTask(tenantId: string, connectionId: string | undefined, request: StartRequest): Promise<StartResult>;
  confirmTask(tenantId: string, taskId: string, actor: Actor): Promise<TaskDoc>;
  cancelTask(tenantId: string, taskId: string, actor: Actor): Promise<TaskDoc>;
  setSchedulePaused(tenantId: string, paused: boolean, actor: Actor): Promise<void>;
  status(tenantId: string): Promise<{ connections: ConnectionDoc[]; running: TaskDoc[] }>;
  /** Newest first. */
  history(tenantId: string, n: number): Promise<TaskDoc[]>;
  why(tenantId: string, who: string): Promise<WhyAnswer>;
  /** Directory role or app role of the chat user, checked by the service for every state change. */
  isAdmin(tenantId: string, aadObjectId: string): Promise<boolean>;
}

/** The slice of a pino logger the bot uses. */
export interface BotLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
