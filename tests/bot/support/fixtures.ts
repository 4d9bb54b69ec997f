import type { Counters } from "../../../api/domain/tasks.ts";
import type { ConnectionDoc, EventDoc, TaskDoc } from "../../../api/store/documents.ts";
import { createLinks } from "../../../bot/cards/links.ts";
import type { BotLogger } from "../../../bot/ports.ts";

export const TENANT = "2f1c7a3e-4b9d-4e61-8a52-6d0c3b9e7f14";
export const ADMIN = {
  oid: "5bde3e51-d13b-4db1-9948-fe4b109d11a7",
  name: "MOD Administrator",
  mri: "29:admin",
};
export const READER = { oid: "87d349ed-44d7-43e1-9a83-5f2406dee5bd", name: "Adele Vance", mri: "29:adele" };
export const TEAM_ID = "19:team-general@thread.tacv2";
export const ADMIN_CHANNEL_ID = "19:directory-sync-admins@thread.tacv2";

export const links = createLinks({ publicUrl: "https://sync.example.test" });

export const silentLogger: BotLogger = { debug() {}, info() {}, warn() {}, error() {} };

export const counters = (over: Partial<Counters> = {}): Counters => ({
  processed: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deactivated: 0,
  deleted: 0,
  restored: 0,
  skipped: 0,
  errors: 0,
  ...over,
});

export function makeTask(over: Partial<TaskDoc> = {}): TaskDoc {
  return {
    id: "task-1",
    tenantId: TENANT,
    type: "task",
    connectionId: "conn-1",
    connectionName: "Contoso Entra",
    taskType: "full",
    trigger: "schedule",
    requestedBy: { oid: ADMIN.oid, name: ADMIN.name },
    status: "succeeded",
    createdAt: "2025-03-01T08:00:00.000Z",
    startedAt: "2025-03-01T08:00:01.000Z",
    finishedAt: "2025-03-01T08:02:31.000Z",
    progress: { phase: "done", processed: 412 },
    counters: {
      users: counters({ processed: 400, created: 3, updated: 12, unchanged: 385 }),
      lists: counters({ processed: 12, updated: 1, unchanged: 11 }),
    },
    notes: [],
    ...over,
  };
}

export function makeConnection(over: Partial<ConnectionDoc> = {}): ConnectionDoc {
  return {
    id: "conn-1",
    tenantId: TENANT,
    type: "connection",
    name: "Contoso Entra",
    kind: "graph-delegated",
    status: "active",
    consent: {
      adminObjectId: ADMIN.oid,
      adminUpn: "admin@M365x214355.onmicrosoft.com",
      consentedAt: "2025-01-10T09:30:00.000Z",
      permissions: ["User.Read.All", "GroupMember.Read.All"],
    },
    settings: {} as ConnectionDoc["settings"],
    schedule: { enabled: true, intervalMinutes: 60, fullEveryHours: 24, quiet: false },
    allowConcurrent: false,
    createdAt: "2025-01-10T09:30:00.000Z",
    createdBy: { oid: ADMIN.oid, name: ADMIN.name },
    updatedAt: "2025-01-10T09:30:00.000Z",
    updatedBy: { oid: ADMIN.oid, name: ADMIN.name },
    ...over,
  };
}

export function makeEvent(over: Partial<EventDoc> & Pick<EventDoc, "kind">): EventDoc {
  return {
    id: `event-${over.kind}`,
    tenantId: TENANT,
    type: "event",
    summary: `Event ${over.kind}`,
    createdAt: "2025-03-01T08:02:31.000Z",
    delivery: { status: "pending" },
    ...over,
  };
}
