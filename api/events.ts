import { randomUUID } from "node:crypto";
import type { EventDoc } from "./store/documents.ts";
import type { Store } from "./store/store.ts";

export type NewEvent = Omit<EventDoc, "id" | "type" | "createdAt" | "delivery" | "_etag">;
export type EventListener = (event: EventDoc) => Promise<void> | void;

/**
 * Things admins must hear about (sync finished, failed, halted, reauthorization needed). Each event is
 * stored first, so the tab can list it even when no bot is installed or delivery fails, then handed to
 * listeners such as the bot's notifier. A failing listener never fails the sync that raised the event.
 */
export class EventBus {
  private readonly listeners: EventListener[] = [];

  constructor(
    private readonly store: Store,
    private readonly onListenerError: (err: unknown, event: EventDoc) => void = () => undefined,
  ) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  async emit(input: NewEvent): Promise<EventDoc> {
    const event = await this.store.events.create({
      ...input,
      id: randomUUID(),
      type: "event",
      createdAt: new Date().toISOString(),
      delivery: { status: "pending" },
    });
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
    return event;
  }
}
