import { createHash } from "node:crypto";
import type { ListDoc, MembershipDoc } from "../store/documents.ts";
import type { Removal, RunContext, WriteContext } from "./context.ts";
import type { GraphGroup } from "./graph-types.ts";
import { contentHash } from "./hash.ts";

/** The slice of a stored list the sync plans with. */
export interface ListIndexEntry {
  id: string;
  sourceId: string;
  status: ListDoc["status"];
  hash: string;
  name: string;
  lastTaskId: string;
  createdAt: string;
  description: string | null;
  mail: string | null;
  groupTypes: string[];
  memberCount?: number;
  membersDigest?: string;
  nestedGroupIds?: string[];
  pendingMembers?: ListDoc["pendingMembers"];
  /** A push connection's resource for the list: kept by every write, whichever path makes it. */
  scim?: ListDoc["scim"];
}

/** How many members a list has and a digest of which: what its hash covers instead of every member id. */
export interface Membership {
  count: number;
  digest: string;
}

const listId = (connectionId: string, sourceId: string) => `${connectionId}.${sourceId}`;
export const edgeId = (connectionId: string, listSourceId: string, memberSourceId: string) =>
  `${connectionId}.${listSourceId}.${memberSourceId}`;

const DIGEST_BYTES = 16;
export const EMPTY_DIGEST = "0".repeat(DIGEST_BYTES * 2);

/**
 * An order-free digest of a member set: the XOR of each member's hash. Adding or removing a member flips
 * exactly its bits, so a list's digest can follow a few member changes without reading all of its edges.
 */
export function toggleMembers(digest: string, memberIds: Iterable<string>): string {
  const out = Buffer.from(digest, "hex");
  for (const id of memberIds) {
    const h = createHash("sha256").update(id).digest();
    for (let i = 0; i < DIGEST_BYTES; i++) out[i] = (out[i] as number) ^ (h[i] as number);
  }
  return out.toString("hex");
}

export const membershipOf = (memberIds: string[]): Membership => ({
  count: memberIds.length,
  digest: toggleMembers(EMPTY_DIGEST, memberIds),
});

export async function loadListIndex(ctx: RunContext): Promise<ListIndexEntry[]> {
  return (await ctx.store.lists.all(ctx.connection.tenantId, {
    where: "c.connectionId = @c",
    parameters: [{ name: "@c", value: ctx.connection.id }],
    select:
      "c.id, c.sourceId, c.status, c.hash, c.name, c.lastTaskId, c.createdAt, c.description, c.mail, c.groupTypes, c.memberCount, c.membersDigest, c.nestedGroupIds, c.pendingMembers",
  })) as unknown as ListIndexEntry[];
}

export function buildList(
  group: GraphGroup,
  membership: Membership,
  ctx: WriteContext,
  now: string,
  entry?: ListIndexEntry,
  nestedGroupIds: string[] = entry?.nestedGroupIds ?? [],
): ListDoc {
  const content = {
    name: group.displayName ?? group.id,
    description: group.description ?? null,
    mail: group.mail ?? null,
    groupTypes: group.groupTypes ?? [],
  };
  return {
    id: entry?.id ?? listId(ctx.connection.id, group.id),
    tenantId: ctx.connection.tenantId,
    type: "list",
    connectionId: ctx.connection.id,
    sourceId: group.id,
    source: "entra",
    status: "active",
    ...content,
    memberCount: membership.count,
    membersDigest: membership.digest,
    nestedGroupIds,
    hash: contentHash({ ...content, members: membership, nestedGroupIds }),
    lastTaskId: ctx.taskId,
    createdAt: entry?.createdAt ?? now,
    updatedAt: now,
    ...(entry?.scim ? { scim: entry.scim } : {}),
  };
}

export const edgeOf = (
  ctx: WriteContext,
  list: ListDoc,
  listSourceId: string,
  memberSourceId: string,
): MembershipDoc => ({
  id: edgeId(ctx.connection.id, listSourceId, memberSourceId),
  tenantId: ctx.connection.tenantId,
  type: "membership",
  connectionId: ctx.connection.id,
  listId: list.id,
  listSourceId,
  memberSourceId,
  lastTaskId: ctx.taskId,
});

export const listRemoval = (entry: ListIndexEntry, reason: string): Removal => ({
  kind: "list",
  id: entry.id,
  sourceId: entry.sourceId,
  name: entry.name,
  action: "deleted",
  reason,
});

/** The members a record names (by Entra object id): enough to say who, bounded for very large changes. */
const NAMED_MEMBERS = 50;
export const memberChanges = (added: string[], removed: string[]) =>
  added.length + removed.length === 0
    ? {}
    : { members: { added: added.slice(0, NAMED_MEMBERS), removed: removed.slice(0, NAMED_MEMBERS) } };

export const membershipReason = (added: number, removed: number) =>
  added + removed === 0 ? "changed in Entra ID" : `members: ${added} added, ${removed} removed`;

export function listChanges(entry: ListIndexEntry, doc: ListDoc, membersChanged: boolean): string[] {
  const changed: string[] = [];
  if (entry.name !== doc.name) changed.push("name");
  if (membersChanged) changed.push("members");
  if (changed.length === 0) changed.push("details");
  return changed;
}

export const listRecord = (
  group: GraphGroup,
  action: "created" | "updated" | "unchanged" | "restored",
  reason?: string,
) => ({
  kind: "list" as const,
  sourceId: group.id,
  name: group.displayName ?? group.id,
  action,
  ...(reason ? { reason } : {}),
});
