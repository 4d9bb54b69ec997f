import { connectionView } from "../../../api/app/bot-views.ts";
import type { Actor } from "../../../api/domain/actor.ts";
import type { ConnectionDoc, TaskDoc } from "../../../api/store/documents.ts";
import type { Store } from "../../../api/store/store.ts";
import type { StartRequest, StartResult, SyncPort, WhyAnswer } from "../../../bot/ports.ts";
import { makeConnection, makeTask } from "./fixtures.ts";

/**
 * A test double of the sync service behind SyncPort: records what the bot asked and keeps tasks in the real
 * store, so card refreshes read what the service wrote.
 */
export class FakeSync implements SyncPort {
  admins = new Set<string>();
  calls: Array<{ method: string; args: unknown[] }> = [];
  connections: ConnectionDoc[] = [makeConnection()];
  startAnswer: "task" | "alreadyRunning" | "problem" = "task";
  paused: boolean | undefined;
  private counter = 0;

  constructor(private readonly store: Pick<Store, "tasks">) {}

  async startTask(
    tenantId: string,
    connectionId: string | undefined,
    request: StartRequest,
  ): Promise<StartResult> {
    this.calls.push({ method: "startTask", args: [tenantId, connectionId, request] });
    if (this.startAnswer === "problem")
      return {
        problem: {
          code: "no-connection",
          message: "This tenant has no connection yet.",
          remedy: "An admin connects the tenant in the Directory Sync tab first.",
        },
      };
    const task = makeTask({
      id: `started-${++this.counter}`,
      tenantId,
      taskType: request.type,
      trigger: "bot",
      requestedBy: request.requestedBy,
      status: this.startAnswer === "alreadyRunning" ? "running" : "queued",
      finishedAt: undefined,
      progress: { phase: "users", processed: 0 },
    });
    await this.store.tasks.upsert(task);
    return this.startAnswer === "alreadyRunning" ? { alreadyRunning: task } : { task };
  }

  async confirmTask(tenantId: string, taskId: string, actor: Actor): Promise<TaskDoc> {
    this.calls.push({ method: "confirmTask", args: [tenantId, taskId, actor] });
    return this.store.tasks.update(tenantId, taskId, (t) => ({
      ...t,
      status: "running",
      finishedAt: undefined,
    }));
  }

  async cancelTask(tenantId: string, taskId: string, actor: Actor): Promise<TaskDoc> {
    this.calls.push({ method: "cancelTask", args: [tenantId, taskId, actor] });
    return this.store.tasks.update(tenantId, taskId, (t) => ({
      ...t,
      status: "cancelled",
      finishedAt: new Date().toISOString(),
    }));
  }

  async setSchedulePaused(tenantId: string, paused: boolean, actor: Actor): Promise<void> {
    this.calls.push({ method: "setSchedulePaused", args: [tenantId, paused, actor] });
    this.paused = paused;
  }

  async status(tenantId: string) {
    this.calls.push({ method: "status", args: [tenantId] });
    return { connections: this.connections.map(connectionView), running: [] };
  }

  async history(tenantId: string, n: number): Promise<TaskDoc[]> {
    this.calls.push({ method: "history", args: [tenantId, n] });
    return [
      makeTask({ id: "h1" }),
      makeTask({
        id: "h2",
        status: "failed",
        error: {
          code: "permission-missing",
          message: "Permission GroupMember.Read.All is missing.",
          remedy: "Grant it.",
        },
      }),
    ].slice(0, n);
  }

  async why(tenantId: string, who: string): Promise<WhyAnswer> {
    this.calls.push({ method: "why", args: [tenantId, who] });
    return {
      verdict: `${who} is synced and active.`,
      details: ["Member of Marketing (in scope).", "Last updated by task h1: jobTitle changed."],
    };
  }

  async isAdmin(tenantId: string, aadObjectId: string): Promise<boolean> {
    this.calls.push({ method: "isAdmin", args: [tenantId, aadObjectId] });
    return this.admins.has(aadObjectId);
  }

  called(method: string) {
    return this.calls.filter((c) => c.method === method);
  }
}
