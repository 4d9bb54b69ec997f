import type { Actor } from "../domain/actor.ts";
import type { ConnectionKind, ConnectionStatus } from "../domain/connections.ts";
import type { DirectoryEventType } from "../domain/event-types.ts";
import type { Problem } from "../domain/problem.ts";
import type { FieldValue, RecordAction, RecordStatus } from "../domain/records.ts";
import type { SyncSettings } from "../domain/sync-settings.ts";
import type { Counters, TaskStatus, TaskTrigger, TaskType } from "../domain/tasks.ts";
import type { WelcomeChannel, WelcomeOutcome, WelcomeStatus } from "../domain/welcome-template.ts";
import type { TenantDocument } from "./repository.ts";

/** A secret sealed with envelope encryption (see api/auth/secrets.ts); never leaves the API. */
export interface SealedSecret {
  keyId: string;
  wrappedKey: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

interface Schedule {
  enabled: boolean;
  intervalMinutes: number;
  /** Hours between full reconciliations when incremental runs are used. */
  fullEveryHours: number;
  quiet: boolean;
}

export interface ConnectionDoc extends TenantDocument {
  type: "connection";
  name: string;
  kind: ConnectionKind;
  status: ConnectionStatus;
  statusProblem?: Problem & { since: string };
  warning?: Problem & { since: string };
  clientId?: string;
  secret?: SealedSecret;
  secretHint?: string;
  /** When the client secret expires, as the app registration says (read by the connection test). */
  secretExpiresAt?: string;
  consent?: { adminObjectId: string; adminUpn: string; consentedAt: string; permissions: string[] };
  /** An admin-consent or reauthorization flow that was started and not yet completed. */
  pendingConsent?: {
    nonce: string;
    step: "admin-consent" | "sign-in";
    startedBy: Actor;
    startedAt: string;
    /** PKCE verifier of the sign-in step, sealed like any secret. */
    verifier?: SealedSecret;
  };
  /** Last check of the consenting admin (exists, enabled, still an admin). */
  adminCheck?: { checkedAt: string; ok: boolean };
  lastTest?: {
    at: string;
    ok: boolean;
    checks: { permission: string; status: "granted" | "missing" | "rejected"; detail: string }[];
  };
  reauthorizedAt?: string;
  settings: SyncSettings;
  schedule: Schedule;
  allowConcurrent: boolean;
  lastTask?: { id: string; type: TaskType; status: TaskStatus; finishedAt?: string };
  nextRunAt?: string;
  /** A `scim` connection's bearer tokens, as hashes only (api/auth/scim-tokens.ts). */
  scimTokens?: ScimTokenRecord[];
  createdAt: string;
  createdBy: Actor;
  updatedAt: string;
  updatedBy: Actor;
}

export interface ScimTokenRecord {
  id: string;
  /** SHA-256 of the whole token (hex); the token holds 256 random bits, so a fast hash cannot be guessed back. */
  hash: string;
  hint: string;
  createdAt: string;
  createdBy: Actor;
  /** Set by a rotation: the token works until then, so Entra can be given the new one without a gap. */
  validUntil?: string;
}

/**
 * Where a `scim` connection's push traffic stands: the provisioning cycle (task) requests are grouped into,
 * when each token was last used, and recent removals the push-mode deletion guard counts. Kept apart from
 * the connection so that traffic never changes the connection's ETag under an admin's edit.
 */
export interface ScimStateDoc extends TenantDocument {
  type: "scimState";
  connectionId: string;
  cycle?: { taskId: string; startedAt: string; lastRequestAt: string };
  lastRequestAt?: string;
  tokenUsedAt: Record<string, string>;
  /** Times of deletions and deactivations inside the guard's window, oldest first. */
  recentRemovals: string[];
  /** Removals held by the guard, waiting for an admin (the halted task's id says which). */
  held?: { taskId: string; removals: HeldScimRemoval[] };
  updatedAt: string;
}

export interface HeldScimRemoval {
  kind: "user" | "list";
  scimId: string;
  action: "deleted" | "deactivated";
  at: string;
}

export interface ProfileDoc extends TenantDocument {
  type: "profile";
  connectionId: string;
  /** Entra object id: the only key a synced profile is matched on. */
  sourceId: string;
  source: "entra" | "scim" | "manual";
  status: RecordStatus;
  deletedAt?: string;
  purgeAfter?: string;
  fields: Record<string, FieldValue>;
  attributes: Record<string, FieldValue>;
  /** Lower-cased, for lookups by email or UPN. */
  emailKey?: string;
  upnKey?: string;
  displayName: string;
  hash: string;
  /** Graph's media ETag tells whether the photo changed without downloading it. */
  photo?: { hash: string; contentType: string; etag?: string };
  /**
   * An existing profile an update-only connection took over by email or UPN: it keeps its own id, so it
   * cannot be found by the id the connection gives the profiles it creates.
   */
  adopted?: true;
  lastTaskId: string;
  /** Sequence number of the change feed's event for the latest change (api/feed/change-feed.ts). */
  changeSeq?: number;
  /** Which connection wrote each field last, when more than one writes this profile (pull and push). */
  fieldOwners?: Record<string, string>;
  /** The SCIM resource a push connection keeps for this profile (api/scim), when one does. */
  scim?: ScimShadow;
  createdAt: string;
  updatedAt: string;
}

/** A SCIM resource as its client last wrote it, so reads answer what was written, and its lookup keys. */
export interface ScimShadow {
  connectionId: string;
  /** The resource id the SCIM client addresses it by. */
  id: string;
  /** Lower-cased userName (users) or displayName (groups): unique per connection among live resources. */
  nameKey: string;
  externalId?: string;
  resource: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ListDoc extends TenantDocument {
  type: "list";
  connectionId: string;
  sourceId: string;
  source: "entra" | "scim" | "manual";
  status: RecordStatus;
  deletedAt?: string;
  purgeAfter?: string;
  name: string;
  description: string | null;
  mail: string | null;
  groupTypes: string[];
  memberCount: number;
  /** XOR of the members' hashes: follows member changes without reading every edge (api/sync/list-docs.ts). */
  membersDigest?: string;
  /** Groups nested (at any depth) inside this one: a change to them changes this list too. */
  nestedGroupIds?: string[];
  /**
   * Member edges this list's count and digest already include but a task may not have written yet. Set
   * before the edges are written and cleared after, so a run that dies in between is finished by the next.
   */
  pendingMembers?: { taskId: string; add: string[]; remove: string[] };
  hash: string;
  lastTaskId: string;
  changeSeq?: number;
  scim?: ScimShadow;
  createdAt: string;
  updatedAt: string;
}

/** One edge per membership: a group can have 50,000+ members and a Cosmos item is at most 2 MB. */
export interface MembershipDoc extends TenantDocument {
  type: "membership";
  connectionId: string;
  listId: string;
  listSourceId: string;
  memberSourceId: string;
  lastTaskId: string;
  changeSeq?: number;
  /** The member's display name as a SCIM client sent it with the membership. */
  display?: string;
}

export interface TaskDoc extends TenantDocument {
  type: "task";
  connectionId: string;
  connectionName: string;
  taskType: TaskType;
  trigger: TaskTrigger;
  requestedBy: Actor;
  status: TaskStatus;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  heartbeatAt?: string;
  progress: { phase: string; processed: number; total?: number };
  counters: { users: Counters; lists: Counters };
  error?: Problem;
  /** Set when the deletion guard stopped the run: what would have been removed. */
  halt?: { wouldDelete: number; wouldDeactivate: number; sample: string[]; threshold: string };
  notes: string[];
  /** Set while Graph throttles the run: how often so far, and when last (the run waits as Graph asks). */
  throttle?: { count: number; lastAt: string };
  cancelRequested?: boolean;
  /** Where a resumed worker picks up; opaque to everyone but the engine. */
  checkpoint?: Record<string, unknown>;
  /** How many removals an admin confirmed after a halt; the re-run may remove at most this many. */
  confirmedRemovals?: number;
  confirmedBy?: Actor;
  graphRequests?: number;
  storeOperations?: number;
}

export interface TaskRecordDoc extends TenantDocument {
  type: "taskRecord";
  taskId: string;
  connectionId: string;
  kind: "user" | "list";
  sourceId: string;
  name: string;
  email?: string;
  upn?: string;
  /** Lower-cased email and UPN, so "why is this user not synced?" finds the record either way. */
  keys: string[];
  action: RecordAction;
  reason?: string;
  changedFields?: string[];
  /** Old and new values of the changed fields, so a reader sees what changed, not only which field. */
  changes?: Record<string, { from: FieldValue; to: FieldValue }>;
  /** A list's member changes by Entra object id (the first ones of a large change). */
  members?: { added: string[]; removed: string[] };
  /** For a created person: what became of their welcome notice (api/welcome/). */
  welcome?: WelcomeOutcome;
  at: string;
  /** Expiry for production Cosmos TTL; the purge job honours it where TTL is unavailable. */
  ttl?: number;
  expiresAt: string;
}

export interface SyncStateDoc extends TenantDocument {
  type: "syncState";
  connectionId: string;
  resource: "users" | "groups";
  deltaLink?: string;
  settingsHash: string;
  lastFullAt?: string;
  /** The shape the last full sync stored the directory in (api/sync/delta-state.ts). */
  storedFormat?: number;
  updatedAt: string;
}

/**
 * A standalone browser session, kept on the server so that signing out ends it everywhere and the account's
 * rights are checked again while it lasts. The id is a hash of the session id in the cookie, so reading the
 * database does not give a working cookie.
 */
export interface SessionDoc extends TenantDocument {
  type: "session";
  oid: string;
  name: string;
  upn?: string;
  /** App roles and directory role ids from the last token Entra ID issued for this account. */
  roles: string[];
  wids: string[];
  /** The account's refresh token for the product's API, sealed; how the session re-checks its rights. */
  refreshToken?: SealedSecret;
  checkedAt: string;
  createdAt: string;
  expiresAt: string;
  /** Expiry for production Cosmos TTL (seconds); expiresAt is checked on every read. */
  ttl?: number;
}

export interface ConversationDoc extends TenantDocument {
  type: "conversation";
  reference: Record<string, unknown>;
  teamId?: string;
  channelId?: string;
  channelName?: string;
  installedBy?: Actor;
  updatedAt: string;
  lastDeliveryFailure?: { at: string; status: number; message: string };
}

export interface LeaseDoc extends TenantDocument {
  type: "lease";
  owner: string;
  taskId?: string;
  expiresAt: string;
}

export interface AuditDoc extends TenantDocument {
  type: "audit";
  actor: Actor;
  action: string;
  target: { kind: string; id: string; name?: string };
  changes: Record<string, { from: unknown; to: unknown }>;
  at: string;
}

export interface AttributeDefinitionDoc extends TenantDocument {
  type: "attributeDefinition";
  name: string;
  label: string;
  valueType: "string" | "number" | "boolean" | "string[]";
  createdAt: string;
}

export interface PhotoDoc extends TenantDocument {
  type: "photo";
  profileId: string;
  contentType: string;
  hash: string;
  data: string;
  updatedAt: string;
}

export type EventKind =
  | "sync-finished"
  | "sync-failed"
  | "sync-halted"
  | "needs-reauth"
  | "admin-warning"
  | "delivery-failed"
  /** A webhook endpoint failed for days and was switched off. */
  | "webhook-disabled";

/** Something people should hear about: the bot posts it, the tab lists it. */
export interface EventDoc extends TenantDocument {
  type: "event";
  kind: EventKind;
  connectionId?: string;
  webhookEndpointId?: string;
  taskId?: string;
  problem?: Problem;
  summary: string;
  createdAt: string;
  delivery?: { status: "pending" | "delivered" | "skipped" | "failed"; at?: string; error?: string };
}

/** What a machine caller may do; a key or an app token carries a subset. */
export type MachineScope = "directory:read" | "events:read" | "webhooks:manage";

/** An API key of a tenant's application. Only a hash of its secret is kept; the key itself is shown once. */
export interface ApiKeyDoc extends TenantDocument {
  type: "apiKey";
  name: string;
  /** The visible start of the key, so people can tell keys apart without the secret. */
  prefix: string;
  /** SHA-256 of the whole key (hex); the key has 256 random bits, so a fast hash cannot be guessed back. */
  hash: string;
  scopes: MachineScope[];
  expiresAt?: string;
  revokedAt?: string;
  revokedBy?: Actor;
  lastUsedAt?: string;
  createdAt: string;
  createdBy: Actor;
}

/**
 * What a stored directory document must look like for its event to have happened: a write that died
 * between its events and its documents leaves events whose change never landed, and those are dropped.
 */
export interface EventExpectation {
  container: "profiles" | "lists" | "memberships";
  id: string;
  /** The document's hash after the change; absent: the document must exist (edges) or be gone. */
  hash?: string;
  present: boolean;
}

/**
 * One change the sync engine made to a tenant's directory, in the tenant's one order (`seq`), as readers of
 * the feed see it. It is stored inside a `DirectoryEventPackDoc`, with the fields its block shares; a
 * deployment from before packs may still hold events stored as documents of this shape.
 */
export interface DirectoryEventDoc extends TenantDocument {
  type: "directoryEvent";
  seq: number;
  eventType: DirectoryEventType;
  occurredAt: string;
  connectionId?: string;
  object: { kind: "profile" | "list" | "membership" | "connection"; id: string };
  /** The object's full snapshot after the change, in the Directory API's shape. */
  data: Record<string, unknown>;
  changes?: Record<string, { from: unknown; to: unknown }>;
  cause: { taskId?: string; trigger?: TaskTrigger };
  expect?: EventExpectation;
  /** When the retention job removes it (Cosmos TTL may do it earlier in production). */
  expiresAt: string;
}

/** An event as a pack stores it: the fields its block shares (time, cause, expiry) are on the pack. */
export type PackedEvent = Pick<
  DirectoryEventDoc,
  "id" | "seq" | "eventType" | "connectionId" | "object" | "data" | "changes" | "expect"
>;

/**
 * The events of (part of) one written block of sequence numbers, in order: one document for up to a batch of
 * changes, since each Cosmos write has a base cost. `firstSeq`..`lastSeq` is the range the pack was given
 * when written (not `from`/`to`: reserved words of Cosmos SQL); settling a dead writer's block may remove
 * events from it, never add.
 */
export interface DirectoryEventPackDoc extends TenantDocument {
  type: "directoryEventPack";
  firstSeq: number;
  lastSeq: number;
  occurredAt: string;
  cause: DirectoryEventDoc["cause"];
  /** When the retention job removes the pack (Cosmos TTL may do it earlier in production). */
  expiresAt: string;
  /**
   * Each event's id, number and type, in order: what the feed's queries filter on. A pack written before
   * `deflated` existed holds its whole events here instead.
   */
  events: PackedEventKey[];
  /**
   * The rest of each event (object, snapshot, changes), in the order of `events`: a JSON array, compressed
   * with raw DEFLATE, in base64. Snapshots are most of an event and repeat the same field names, so a pack
   * (its index included) is about a fifth of its plain JSON, which every write sends, stores and gets back.
   */
  deflated?: string;
}

/** What a pack shows of each event without decompressing it. */
export type PackedEventKey = Pick<PackedEvent, "id" | "seq" | "eventType">;

/** A block of sequence numbers a writer holds while its events and documents are being written. */
export interface SequenceReservation {
  id: string;
  /** Who writes the block: a task id (a resumed task settles its earlier attempt's block) or a job. */
  owner: string;
  from: number;
  to: number;
  expiresAt: string;
}

/** Per tenant: the next sequence number of the change feed and the blocks still being written. */
export interface FeedStateDoc extends TenantDocument {
  type: "feedState";
  next: number;
  open: SequenceReservation[];
  /** Events up to this sequence number were removed by retention: older cursors must resnapshot. */
  trimmedThrough: number;
  /**
   * Every event of the tenant is stored in packs. Absent on a state written before events were packed: its
   * events may still be one document each (`DirectoryEventDoc`) until they are converted.
   */
  eventsPacked?: boolean;
  /** The process converting the tenant's earlier event documents into packs, and until when it may. */
  packing?: { owner: string; expiresAt: string };
}

export interface WebhookEndpointDoc extends TenantDocument {
  type: "webhookEndpoint";
  url: string;
  description: string;
  /** Event types to deliver; empty: all. */
  eventTypes: DirectoryEventType[];
  /** Signing secrets, newest first; an older one stays valid (and is signed with) until `expiresAt`. */
  secrets: { sealed: SealedSecret; createdAt: string; expiresAt?: string }[];
  status: "enabled" | "disabled";
  disabled?: { at: string; reason: string };
  /** Sequence number of the last event handed to delivery. */
  cursor: number;
  /** Since when every delivery attempt failed; cleared by a success. */
  failingSince?: string;
  createdAt: string;
  createdBy: Actor;
  updatedAt: string;
}

export interface WebhookAttempt {
  at: string;
  /** HTTP status, or 0 when no answer came (refused, timed out, blocked address). */
  status: number;
  latencyMs: number;
  excerpt: string;
}

export interface WebhookDeliveryDoc extends TenantDocument {
  type: "webhookDelivery";
  endpointId: string;
  eventId: string;
  seq: number;
  eventType: DirectoryEventType;
  status: "pending" | "delivered" | "failed";
  attempts: WebhookAttempt[];
  nextAttemptAt?: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * A person's welcome notice: one per connection and Entra object id, ever (its id is derived from both), so
 * no resumed, retried or restoring run welcomes anyone twice.
 */
export interface WelcomeNoticeDoc extends TenantDocument {
  type: "welcomeNotice";
  connectionId: string;
  sourceId: string;
  name: string;
  email?: string;
  /** The task that created the person's profile, whose record shows the outcome; absent for existing people. */
  taskId?: string;
  status: WelcomeStatus | "sending";
  channel?: WelcomeChannel;
  /** The skip reason or the last failure's cause. */
  detail?: string;
  errorCode?: string;
  attempts: number;
  /** Who is sending it right now: a sender that dies leaves this, and the notice becomes uncertain. */
  claim?: { owner: string; at: string };
  sentAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** Per connection: whether notices were on when runs last finished, and which runs were looked at. */
export interface WelcomeStateDoc extends TenantDocument {
  type: "welcomeState";
  connectionId: string;
  on: boolean;
  /** Runs that finished up to here have been looked at for created people. */
  processedThrough?: string;
  updatedAt: string;
}

export type WelcomeDoc = WelcomeNoticeDoc | WelcomeStateDoc;
