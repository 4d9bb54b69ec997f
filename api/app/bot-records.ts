import type { AlertSource, BotRecords } from "../../bot/ports.ts";
import type { EventBus } from "../events.ts";
import type { Store } from "../store/store.ts";
import { alertEvent, connectionView, taskView } from "./bot-views.ts";

/**
 * The bot's reads and writes over the store, handed out as the bot's own views. The alert channel is the bot's
 * own record, kept in the conversations container as it is.
 */
export function createBotRecords(
  store: Pick<Store, "tasks" | "connections" | "events" | "conversations">,
): BotRecords {
  return {
    tasks: {
      get: async (tenantId, taskId) => {
        const task = await store.tasks.get(tenantId, taskId);
        return task && taskView(task);
      },
    },
    connections: {
      get: async (tenantId, connectionId) => {
        const connection = await store.connections.get(tenantId, connectionId);
        return connection && connectionView(connection);
      },
    },
    events: {
      async recordDelivery(tenantId, eventId, delivery) {
        await store.events.update(tenantId, eventId, (current) => ({ ...current, delivery }));
      },
    },
    conversations: store.conversations,
  };
}

/** The service's events, as the alerts the bot decides about. */
export function botAlertSource(events: EventBus): AlertSource {
  return { subscribe: (listener) => events.subscribe((event) => listener(alertEvent(event))) };
}
