import type { Problem } from "../domain/problem.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { LiveResource, LiveSyncDoc } from "./live-state.ts";

/** What the tab shows about a connection's live updates; never the clientState hashes. */
export interface LiveStatus {
  state: "live" | "schedule-only" | "off" | "push";
  problem?: Problem & { since?: string };
  lastNotificationAt?: string;
  lastLifecycle?: { event: string; at: string };
  subscriptions: { resource: LiveResource; expiresAt: string }[];
}

export function liveStatusOf(connection: ConnectionDoc, doc: LiveSyncDoc | undefined): LiveStatus {
  if (connection.kind === "scim") return { state: "push", subscriptions: [] };
  if (connection.status === "inactive")
    return {
      state: "off",
      problem: {
        code: "connection-inactive",
        message:
          "The connection is switched off, so it neither runs on its schedule nor listens for changes.",
        remedy: "Reactivate the connection.",
      },
      subscriptions: [],
    };
  if (!doc)
    return {
      state: "schedule-only",
      problem: {
        code: "not-started",
        message: "Live updates start after the connection's first sync.",
        remedy: "Run a sync now, or wait for the schedule.",
      },
      subscriptions: [],
    };
  if (doc.state === "off")
    return {
      state: "schedule-only",
      problem: {
        code: "not-started",
        message: "Live updates start again after the connection's next sync.",
        remedy: "Run a sync now, or wait for the schedule.",
      },
      subscriptions: [],
    };
  return {
    state: doc.state,
    ...(doc.problem ? { problem: doc.problem } : {}),
    ...(doc.lastNotificationAt ? { lastNotificationAt: doc.lastNotificationAt } : {}),
    ...(doc.lastLifecycle ? { lastLifecycle: doc.lastLifecycle } : {}),
    subscriptions: doc.subscriptions.map((s) => ({ resource: s.resource, expiresAt: s.expiresAt })),
  };
}
