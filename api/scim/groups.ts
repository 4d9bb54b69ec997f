import type { ListDoc, MembershipDoc, ScimShadow } from "../store/documents.ts";
import type { WriteContext } from "../sync/context.ts";
import type { GraphGroup } from "../sync/graph-types.ts";
import { edgeId } from "../sync/list-docs.ts";
import { changeMembers, deleteList, writeList } from "../sync/reconciler/lists.ts";
import { canonicalGroup } from "./attributes.ts";
import { GROUP_SCHEMA } from "./discovery.ts";
import { invalidValue, notFound, ScimError } from "./errors.ts";
import { matcher, parseFilter, simpleEquality } from "./filter.ts";
import { applyPatch, type MemberChange, memberValues, normalizePatch, splitMemberOps } from "./patch.ts";
import { checkVersion, type ScimService } from "./provisioning.ts";
import { listResponse, project, projectionOf, renderGroup, wants } from "./render.ts";
import type { UserRequest } from "./users.ts";

type Json = Record<string, unknown>;
type Member = { value: string; display?: string };

interface GroupInput {
  resource: Json;
  displayName: string;
  externalId?: string;
  members?: Member[];
}

function parseGroup(body: unknown): GroupInput {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new ScimError(400, "The body must be a SCIM Group object", "invalidSyntax");
  const { resource } = canonicalGroup(body as Json);
  const displayName = resource.displayName;
  if (typeof displayName !== "string" || !displayName.trim())
    throw invalidValue("displayName", "is required and must be a non-empty string");
  if (
    resource.externalId !== undefined &&
    resource.externalId !== null &&
    typeof resource.externalId !== "string"
  )
    throw invalidValue("externalId", "must be a string");
  const members = resource.members === undefined ? undefined : memberValues(resource.members);
  const { members: _m, meta: _meta, id: _id, ...kept } = resource;
  return {
    resource: { ...kept, schemas: [GROUP_SCHEMA] },
    displayName: displayName.trim(),
    ...(typeof resource.externalId === "string" && resource.externalId
      ? { externalId: resource.externalId }
      : {}),
    ...(members ? { members } : {}),
  };
}

const asGraphGroup = (id: string, input: GroupInput): GraphGroup => ({
  id,
  displayName: input.displayName,
  description: null,
  mail: null,
  groupTypes: [],
});

export async function getGroup(s: ScimService, r: UserRequest, id: string, query: Json): Promise<Json> {
  const list = await s.group(r.connection, id);
  if (!list) throw notFound("Group", id);
  const projection = projectionOf(query);
  const members = wants(projection, "members") ? await s.members(list) : undefined;
  return project(renderGroup(list, members, r.base), projection);
}

export async function listGroups(s: ScimService, r: UserRequest, query: Json) {
  const filter =
    typeof query.filter === "string" && query.filter.trim() ? parseFilter(query.filter) : undefined;
  const eq = filter ? simpleEquality(filter) : undefined;
  const narrow =
    eq?.attribute === "externalid"
      ? { where: "c.scim.externalId = @v", value: eq.value }
      : eq?.attribute === "id"
        ? { where: "c.sourceId = @v", value: eq.value }
        : undefined;
  const projection = projectionOf(query);
  const test = filter ? matcher(filter) : () => true;
  const resources: Json[] = [];
  for (const list of await s.groups(r.connection, narrow)) {
    const members = wants(projection, "members") ? await s.members(list) : undefined;
    const resource = renderGroup(list, members, r.base);
    if (test(resource)) resources.push(resource);
  }
  return listResponse(resources, query, projection);
}

export async function createGroup(s: ScimService, r: UserRequest, body: unknown): Promise<Json> {
  const input = parseGroup(body);
  return s.write(r.connection, r.tokenId, async (ctx) => {
    const { id, previous } = await s.newId(
      r.connection,
      "group",
      input.externalId,
      input.displayName.toLowerCase(),
    );
    const at = ctx.now().toISOString();
    const shadow: ScimShadow = {
      connectionId: r.connection.id,
      id,
      nameKey: input.displayName.toLowerCase(),
      ...(input.externalId ? { externalId: input.externalId } : {}),
      resource: input.resource,
      version: ((previous as ListDoc | undefined)?.scim?.version ?? 0) + 1,
      createdAt: at,
      updatedAt: at,
    };
    const list = await writeList(
      ctx,
      asGraphGroup(id, input),
      previous as ListDoc | undefined,
      shadow,
      "provisioned by Entra",
    );
    return replaceMembersAndRender(s, ctx, list, input, r.base);
  });
}

export async function replaceGroup(
  s: ScimService,
  r: UserRequest,
  id: string,
  body: unknown,
  ifMatch?: string,
) {
  const current = await provisionedGroup(s, r, id, ifMatch);
  const input = parseGroup(body);
  return s.write(r.connection, r.tokenId, async (ctx) => {
    const list = await updateGroup(ctx, current, input);
    return replaceMembersAndRender(s, ctx, list, input, r.base);
  });
}

export async function patchGroup(
  s: ScimService,
  r: UserRequest,
  id: string,
  body: unknown,
  ifMatch?: string,
) {
  const current = await provisionedGroup(s, r, id, ifMatch);
  const { members, other } = splitMemberOps(normalizePatch(body, "Group"));
  const input = other.length > 0 ? parseGroup(applyPatch(current.scim.resource, other)) : undefined;
  await s.write(r.connection, r.tokenId, async (ctx) => {
    const list = input ? await updateGroup(ctx, current, input) : current;
    await applyMembers(s, ctx, list, members);
  });
}

/** The group a write addresses: provisioned through SCIM, and still at the version the client's If-Match names. */
async function provisionedGroup(
  s: ScimService,
  r: UserRequest,
  id: string,
  ifMatch: string | undefined,
): Promise<ListDoc & { scim: ScimShadow }> {
  const current = await s.group(r.connection, id);
  if (!current?.scim) throw notFound("Group", id);
  checkVersion(current.scim.version, ifMatch);
  return current as ListDoc & { scim: ScimShadow };
}

/** A whole group resource names all of its members, so create and replace both make them the only ones. */
async function replaceMembersAndRender(
  s: ScimService,
  ctx: WriteContext,
  list: ListDoc,
  input: GroupInput,
  base: string,
): Promise<Json> {
  const change: MemberChange = { replace: true, add: input.members ?? [], remove: [], removeAll: false };
  const written = await applyMembers(s, ctx, list, change);
  return renderGroup(written, await s.members(written), base);
}

async function updateGroup(ctx: WriteContext, current: ListDoc, input: GroupInput): Promise<ListDoc> {
  const before = current.scim as ScimShadow;
  const shadow: ScimShadow = {
    ...before,
    nameKey: input.displayName.toLowerCase(),
    resource: input.resource,
    version: before.version + 1,
    updatedAt: ctx.now().toISOString(),
  };
  if (input.externalId) shadow.externalId = input.externalId;
  else delete shadow.externalId;
  return writeList(
    ctx,
    asGraphGroup(current.sourceId, input),
    current,
    shadow,
    "changed by Entra provisioning",
  );
}

/**
 * Applies member operations as edges. Members that are not users provisioned to this connection are
 * ignored and named on the task; a member's display name as sent is kept on its edge.
 */
async function applyMembers(
  s: ScimService,
  ctx: WriteContext,
  list: ListDoc,
  change: MemberChange,
): Promise<ListDoc> {
  const needsCurrent = change.replace || change.removeAll;
  const present = needsCurrent
    ? new Set((await s.members(list)).map((e) => e.memberSourceId))
    : new Set<string>();
  const { found, unknown } = await s.resolveMembers(
    ctx.connection,
    change.add.map((m) => m.value),
  );
  if (unknown.length > 0)
    ctx.reporter.note(
      `Group "${list.name}": ${unknown.length} member(s) are not users provisioned to this connection and were ignored (${unknown.slice(0, 5).join(", ")}).`,
    );
  const add = change.add.filter((m) => found.has(m.value));
  const addIds = new Set(add.map((m) => m.value));
  const remove = new Set(change.remove);
  if (change.removeAll) for (const m of present) remove.add(m);
  if (change.replace) for (const m of present) if (!addIds.has(m)) remove.add(m);
  for (const m of addIds) remove.delete(m);
  const before = await s.store.lists.get(list.tenantId, list.id);
  await changeMembers(ctx, before ?? list, addIds, remove);
  await keepDisplays(s, ctx, list, add);
  return (await s.store.lists.get(list.tenantId, list.id)) ?? list;
}

/** Edges remember the member's display name as the client sent it, for reads of the group. */
async function keepDisplays(
  s: ScimService,
  ctx: WriteContext,
  list: ListDoc,
  members: Member[],
): Promise<void> {
  const named = members.filter((m) => m.display);
  if (named.length === 0) return;
  const ids = named.map((m) => edgeId(ctx.connection.id, list.sourceId, m.value));
  const edges = await s.store.memberships.readMany(list.tenantId, ids);
  const writes: MembershipDoc[] = [];
  for (const m of named) {
    const edge = edges.get(edgeId(ctx.connection.id, list.sourceId, m.value));
    if (edge && edge.display !== m.display) writes.push({ ...edge, display: m.display as string });
  }
  if (writes.length > 0) await s.store.memberships.bulkUpsert(writes);
}

export async function deleteGroup(
  s: ScimService,
  r: UserRequest,
  id: string,
  ifMatch?: string,
): Promise<void> {
  const current = await provisionedGroup(s, r, id, ifMatch);
  await s.write(r.connection, r.tokenId, (ctx) =>
    deleteList(
      ctx,
      current,
      `deleted by Entra provisioning (restorable for ${ctx.settings.retentionDays} days)`,
    ),
  );
}
