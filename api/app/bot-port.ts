import type { SyncPort } from "../../bot/ports.ts";
import type { ConnectionCredentials } from "../auth/credentials.ts";
import type { ConnectionsService } from "../connections/service.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import {
  type StartResult as ServiceStartResult,
  SyncRequestError,
  type SyncService,
} from "../sync/service.ts";
import { explainUser } from "../sync/why.ts";
import { describeWelcomeForChat, welcomeOfProfile } from "../welcome/why.ts";
import { connectionView, problemView, taskView } from "./bot-views.ts";
import type { ChatAdminCheck } from "./chat-admin.ts";

/**
 * The bot's view of the sync service. It lives in the composition root so the bot depends on nothing but
 * its own port, and the sync service knows nothing of chat.
 */
export function createBotSyncPort(
  store: Store,
  sync: SyncService,
  credentials: ConnectionCredentials,
  connections: ConnectionsService,
  admins: ChatAdminCheck,
): SyncPort {
  const activeConnections = async (tenantId: string) =>
    (await store.connections.all(tenantId)).filter((c) => c.status !== "inactive" && c.kind !== "scim");

  const problemFrom = (err: unknown) => {
    if (err instanceof SyncRequestError) return { problem: problemView(err.problem) };
    throw err;
  };

  return {
    async startTask(tenantId, connectionId, request) {
      let id = connectionId;
      if (!id) {
        const connections = await activeConnections(tenantId);
        if (connections.length !== 1)
          return {
            problem:
              connections.length === 0
                ? {
                    code: "no-connection",
                    message: "There is no active connection to sync.",
                    remedy: "Create a connection in the Directory Sync tab first.",
                  }
                : {
                    code: "several-connections",
                    message: `There are ${connections.length} active connections: ${connections.map((c) => c.name).join(", ")}.`,
                    remedy: "Start the sync of the one you mean from the Directory Sync tab.",
                  },
          };
        id = (connections[0] as ConnectionDoc).id;
      }
      let result: ServiceStartResult;
      try {
        result = await sync.startTask(tenantId, id, request);
      } catch (err) {
        return problemFrom(err);
      }
      return "task" in result
        ? { task: taskView(result.task) }
        : { alreadyRunning: taskView(result.alreadyRunning) };
    },
    confirmTask: async (tenantId, taskId, actor) => taskView(await sync.confirmTask(tenantId, taskId, actor)),
    cancelTask: async (tenantId, taskId, actor) => taskView(await sync.cancelTask(tenantId, taskId, actor)),
    async setSchedulePaused(tenantId, paused, actor) {
      // Through the connections service, the only writer of connections: it audits the change and moves
      // the schedule slot, without which a resumed schedule would never be due again.
      for (const connection of await activeConnections(tenantId))
        if (connection.schedule.enabled === paused)
          await connections.update(tenantId, connection.id, { schedule: { enabled: !paused } }, actor);
    },
    async status(tenantId) {
      const connections = await store.connections.all(tenantId);
      const running = await store.tasks.all(tenantId, {
        where: "c.status = 'running' OR c.status = 'queued'",
      });
      return { connections: connections.map(connectionView), running: running.map(taskView) };
    },
    async history(tenantId, n) {
      return (
        await store.tasks.page(
          tenantId,
          { orderBy: "c.createdAt DESC" },
          { pageSize: Math.min(Math.max(n, 1), 50) },
        )
      ).items.map(taskView);
    },
    async why(tenantId, who) {
      const answer = await explainUser(store, tenantId, who, async (c) => credentials.graphFor(c));
      const welcome = await welcomeOfProfile(store, tenantId, answer.profile);
      return {
        verdict: answer.verdict,
        details: [
          ...(answer.lastRecord
            ? [
                `Last sync (${answer.lastRecord.at}): ${answer.lastRecord.action}${answer.lastRecord.reason ? `, ${answer.lastRecord.reason}` : ""}`,
              ]
            : []),
          ...(welcome ? [describeWelcomeForChat(welcome)] : []),
          ...answer.checks.flatMap((c) => c.reasons.map((r) => `${c.connectionName}: ${r}`)),
        ],
      };
    },
    async isAdmin(tenantId, aadObjectId) {
      return admins.isAdmin(await activeConnections(tenantId), aadObjectId);
    },
  };
}
