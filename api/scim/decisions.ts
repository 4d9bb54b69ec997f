import type { Actor } from "../domain/actor.ts";
import type { TaskDoc } from "../store/documents.ts";
import { deletePerson, writePerson } from "../sync/reconciler/people.ts";
import type { PushDecisions } from "../sync/service.ts";
import { scimStateId } from "./cycle.ts";
import type { ScimService } from "./provisioning.ts";
import { parseUser } from "./user-resource.ts";
import { leaveGroups, mapScimUser } from "./users.ts";

/**
 * An admin's answer to removals the push guard held: confirm applies them (recorded on the halted task,
 * which then succeeds), cancel discards them (the people stay as they are).
 */
export function pushDecisions(service: ScimService): PushDecisions {
  const { store } = service;
  const takeHeld = async (task: TaskDoc) => {
    let held: NonNullable<Awaited<ReturnType<typeof store.scimState.get>>>["held"];
    const id = scimStateId(task.connectionId);
    if (await store.scimState.get(task.tenantId, id))
      await store.scimState.update(task.tenantId, id, (state) => {
        if (state.held?.taskId !== task.id) return undefined;
        held = state.held;
        const { held: _decided, ...rest } = state;
        // A fresh window: what the admin confirmed does not count towards the next threshold.
        return { ...rest, recentRemovals: [], updatedAt: service.now().toISOString() };
      });
    return held?.removals ?? [];
  };
  return {
    async confirm(task: TaskDoc, actor: Actor): Promise<TaskDoc> {
      const removals = await takeHeld(task);
      const connection = await store.connections.require(task.tenantId, task.connectionId);
      const reporter = service.cycles.reporterFor(task);
      const ctx = await service.contextFor(connection, task.id, reporter);
      for (const r of removals) {
        const user = r.kind === "user" ? await service.user(connection, r.scimId) : undefined;
        if (!user?.scim) continue;
        if (r.action === "deleted") {
          await leaveGroups(service, ctx, user);
          await deletePerson(ctx, user, `deleted by Entra provisioning; confirmed by ${actor.name}`);
        } else {
          const input = parseUser(user.scim.resource);
          const { mapped } = mapScimUser(ctx, input, user.sourceId);
          await writePerson(ctx, {
            mapped,
            status: "inactive",
            target: user,
            shadow: user.scim,
            reason: `deactivated by Entra provisioning; confirmed by ${actor.name}`,
          });
        }
      }
      await service.cycles.commit(reporter);
      const done = await store.tasks.update(task.tenantId, task.id, (t) => ({
        ...t,
        status: "succeeded",
        finishedAt: service.now().toISOString(),
        confirmedRemovals: removals.length,
        confirmedBy: actor,
        progress: { ...t.progress, phase: "succeeded" },
        notes: [...t.notes, `${actor.name} confirmed ${removals.length} removals.`],
      }));
      await service.cycles.recordLastTask(done);
      await service.cycles.announceFinished(done);
      return done;
    },
    async discard(task: TaskDoc, actor: Actor): Promise<void> {
      const removals = await takeHeld(task);
      await store.tasks.update(task.tenantId, task.id, (t) => ({
        ...t,
        notes: [
          ...t.notes,
          `${actor.name} discarded ${removals.length} held removals; those people stay in the directory.`,
        ],
      }));
    },
  };
}
