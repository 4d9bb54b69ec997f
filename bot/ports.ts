import type { AlertEvent, ConnectionView, ProblemView, TaskType, TaskView } from "./views.ts";

/** Who asked, as chat knows them: the Entra object id and display name of the sender. */
export interface ChatActor {
  oid: string;
  name: string;
}

export interface StartRequest {
  /** Commands ask for full, users, lists or preview; Retry repeats whatever failed, incremental included. */
  type: TaskType;
  trigger: "bot";
  requestedBy: ChatActor;
}

export type StartResult = { task: TaskView } | { alreadyRunning: TaskView } | { problem: ProblemView };

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
  confirmTask(tenantId: string, taskId: string, actor: ChatActor): Promise<TaskView>;
  cancelTask(tenantId: string, taskId: string, actor: ChatActor): Promise<TaskView>;
  setSchedulePaused(tenantId: string, paused: boolean, actor: ChatActor): Promise<void>;
  status(tenantId: string): Promise<{ connections: ConnectionView[]; running: TaskView[] }>;
  /** Newest first. */
  history(tenantId: string, n: number): Promise<TaskView[]>;
  why(tenantId: string, who: string): Promise<WhyAnswer>;
  /** Directory role or app role of the chat user, checked by the service for every state change. */
  isAdmin(tenantId: string, aadObjectId: string): Promise<boolean>;
}

/** The tenant's alert channel as the bot keeps it: one record per tenant, id = tenant id. */
export interface AlertChannelRecord {
  id: string;
  tenantId: string;
  type: "conversation";
  /** A Bot Framework conversation reference (serviceUrl, conversation, bot, channelId, …). */
  reference: Record<string, unknown>;
  teamId?: string;
  channelId?: string;
  channelName?: string;
  installedBy?: ChatActor;
  updatedAt: string;
  /** Why the last alert could not be posted; the tab shows it. */
  lastDeliveryFailure?: { at: string; status: number; message: string };
}

/** Where alert channels are kept. */
interface AlertChannelTable {
  get(tenantId: string, id: string): Promise<AlertChannelRecord | undefined>;
  upsert(record: AlertChannelRecord): Promise<AlertChannelRecord>;
  /** `change` answers undefined to leave the record as it is. */
  update(
    tenantId: string,
    id: string,
    change: (current: AlertChannelRecord) => AlertChannelRecord | undefined,
  ): Promise<AlertChannelRecord>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** What became of an alert, written back to its event so the tab can show undelivered alerts. */
export interface AlertDelivery {
  status: "delivered" | "failed";
  at: string;
  error?: string;
}

/**
 * What the bot reads and writes besides the sync service. The composition root implements it over the store
 * and hands out views, so the bot never sees a stored document.
 */
export interface BotRecords {
  tasks: { get(tenantId: string, taskId: string): Promise<TaskView | undefined> };
  connections: { get(tenantId: string, connectionId: string): Promise<ConnectionView | undefined> };
  events: { recordDelivery(tenantId: string, eventId: string, delivery: AlertDelivery): Promise<void> };
  conversations: AlertChannelTable;
}

/** Where alerts come from: the service's event bus. */
export interface AlertSource {
  subscribe(listener: (event: AlertEvent) => Promise<void> | void): () => void;
}

/** The slice of a pino logger the bot uses. */
export interface BotLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
