import type { EventBus } from "../events.ts";
import type { HeldScimRemoval, ScimStateDoc, TaskDoc } from "../store/documents.ts";
import type { WriteContext } from "../sync/context.ts";
import { checkDeletionGuard } from "../sync/reconciler/guard.ts";
import { summarize } from "../sync/summary.ts";
import { emptyState, type ScimCycles, scimStateId } from "./cycle.ts";

/** Removals counted together, as Entra's own accidental-deletions threshold counts a provisioning cycle. */
const GUARD_WINDOW_MS = 60 * 60_000;
const SAMPLE = 20;

export interface RemovalAsked extends HeldScimRemoval {
  name: string;
}

/**
 * The deletion guard in push mode: a SCIM client cannot be asked to wait for a confirmation, so deletions
 * and deactivations are counted over a sliding window, and once they pass the connection's threshold
 * (count or percent, the same settings as pull's guard) each further one is held: recorded as pending on
 * a halted task, alerted as a halted pull is, and applied or discarded when an admin confirms or cancels
 * that task. While removals are held, every new one is held too.
 */
export class PushGuard {
  constructor(
    private readonly cycles: ScimCycles,
    private readonly events: EventBus,
  ) {}

  async admit(
    ctx: WriteContext,
    removal: RemovalAsked,
    population: () => Promise<number>,
  ): Promise<"apply" | "held"> {
    const { store, connection } = ctx;
    const now = ctx.now();
    const windowStart = new Date(now.getTime() - GUARD_WINDOW_MS).toISOString();
    const size = await population();
    let verdict: "apply" | "held" = "apply";
    let newlyHalted = false;
    const id = scimStateId(connection.id);
    if (!(await store.scimState.get(connection.tenantId, id)))
      await store.scimState.create(emptyState(connection)).catch(() => undefined);
    const state = await store.scimState.update(
      connection.tenantId,
      id,
      (current): ScimStateDoc => {
        const recent = current.recentRemovals.filter((t) => t > windowStart);
        const held = { kind: removal.kind, scimId: removal.scimId, action: removal.action, at: removal.at };
        if (current.held) {
          verdict = "held";
          newlyHalted = false;
          return {
            ...current,
            recentRemovals: recent,
            held: { ...current.held, removals: [...current.held.removals, held] },
          };
        }
        const guard = checkDeletionGuard(ctx.settings.deletionGuard, recent.length + 1, size);
        if (guard.trips) {
          verdict = "held";
          newlyHalted = true;
          return { ...current, recentRemovals: recent, held: { taskId: ctx.taskId, removals: [held] } };
        }
        verdict = "apply";
        return { ...current, recentRemovals: [...recent, now.toISOString()] };
      },
      50,
    );
    if (verdict === "apply") return verdict;
    const heldTaskId = state.held?.taskId ?? ctx.taskId;
    // Pending records belong to the halted task, whichever cycle asked.
    const heldTask = await store.tasks.require(connection.tenantId, heldTaskId);
    const records = this.cycles.reporterFor(heldTask);
    records.record(
      {
        kind: removal.kind,
        sourceId: removal.scimId,
        name: removal.name,
        action: removal.action === "deleted" ? "pending-delete" : "pending-deactivate",
        reason: `${removal.action} by Entra provisioning; held by the deletion guard until an admin confirms`,
      },
      false,
    );
    await records.flushRecords(true);
    const threshold = checkDeletionGuard(ctx.settings.deletionGuard, 0, size).threshold;
    const removals = state.held?.removals ?? [];
    const halted = await store.tasks.update(connection.tenantId, heldTaskId, (t) => ({
      ...t,
      status: "halted",
      finishedAt: now.toISOString(),
      progress: { ...t.progress, phase: "halted by the deletion guard" },
      halt: {
        wouldDelete: removals.filter((r) => r.action === "deleted").length,
        wouldDeactivate: removals.filter((r) => r.action === "deactivated").length,
        sample: [...(t.halt?.sample ?? []), removal.name].slice(0, SAMPLE),
        threshold,
      },
    }));
    this.cycles.forget(connection.id);
    if (newlyHalted) await this.alert(halted);
    return verdict;
  }

  private async alert(task: TaskDoc): Promise<void> {
    await this.cycles.recordLastTask(task);
    await this.events.emit({
      tenantId: task.tenantId,
      kind: "sync-halted",
      connectionId: task.connectionId,
      taskId: task.id,
      summary: summarize(task),
    });
  }
}
