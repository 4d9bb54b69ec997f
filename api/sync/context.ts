import type { SyncSettings } from "../domain/sync-settings.ts";
import type { ChangeFeed } from "../feed/change-feed.ts";
import type { GraphApi } from "../graph/client.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import type { TaskReporter } from "./task-reporter.ts";

/**
 * What the reconciler needs to write a tenant's directory, whichever source spoke: the Graph engine's runs
 * and the SCIM endpoint's requests both hand their changes over with one of these.
 */
export interface WriteContext {
  store: Store;
  reporter: TaskReporter;
  connection: ConnectionDoc;
  settings: SyncSettings;
  definedAttributes: ReadonlySet<string>;
  /** A preview records what would happen and writes nothing else. */
  preview: boolean;
  taskId: string;
  now: () => Date;
  /** The change feed every directory write goes through; absent when events are switched off. */
  feed?: ChangeFeed;
  /**
   * Who writes to the feed, when not the task: concurrent SCIM requests of one cycle share a task, and each
   * needs its own feed writer so their events keep distinct ids and none settles another's open block.
   */
  feedOwner?: string;
}

/** Everything one run of the Graph engine works with: the reconciler's context plus the source it reads. */
export interface RunContext extends WriteContext {
  graph: GraphApi;
}

/** A deletion or deactivation held until the whole read succeeded and the deletion guard agreed. */
export interface Removal {
  kind: "user" | "list";
  id: string;
  sourceId: string;
  name: string;
  email?: string;
  upn?: string;
  action: "deleted" | "deactivated";
  reason: string;
  /** For deactivations: the profile as it should be written. */
  replacement?: unknown;
  /** For deactivations: the profile as it was, for the change feed's old values. */
  before?: unknown;
}
