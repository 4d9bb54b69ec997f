import type { ConnectionDoc, ProfileDoc, ScimShadow } from "../store/documents.ts";
import type { WriteContext } from "../sync/context.ts";
import { mapUser } from "../sync/mapping.ts";
import { changeMembers } from "../sync/reconciler/lists.ts";
import {
  deletePerson,
  leavePerson,
  missingFields,
  skipPerson,
  writePerson,
} from "../sync/reconciler/people.ts";
import { invalidValue, notFound, ScimError } from "./errors.ts";
import { matcher, parseFilter, simpleEquality } from "./filter.ts";
import { applyPatch, normalizePatch } from "./patch.ts";
import { checkVersion, type ScimService } from "./provisioning.ts";
import { listResponse, project, projectionOf, renderUser } from "./render.ts";
import { asGraphUser, customAttributes, parseUser, type UserInput } from "./user-resource.ts";

type Json = Record<string, unknown>;

/** The SCIM attribute an admin maps in Entra for each required profile field, for error messages. */
const SCIM_NAME_OF: Record<string, string> = {
  "Entra object id": "externalId",
  "first name (givenName)": "name.givenName",
  "last name (surname)": "name.familyName",
};
const scimNameOf = (label: string) => SCIM_NAME_OF[label] ?? (label.startsWith("email") ? "emails" : label);

export interface UserRequest {
  connection: ConnectionDoc;
  tokenId: string;
  /** The tenant URL, for `meta.location`. */
  base: string;
}

export async function getUser(s: ScimService, r: UserRequest, id: string, query: Json): Promise<Json> {
  const doc = await s.user(r.connection, id);
  if (!doc) throw notFound("User", id);
  return project(renderUser(doc, r.base), projectionOf(query));
}

export async function listUsers(s: ScimService, r: UserRequest, query: Json) {
  const filter =
    typeof query.filter === "string" && query.filter.trim() ? parseFilter(query.filter) : undefined;
  const eq = filter ? simpleEquality(filter) : undefined;
  const narrow =
    eq?.attribute === "username"
      ? { where: "c.scim.nameKey = @v", value: eq.value.toLowerCase() }
      : eq?.attribute === "externalid"
        ? { where: "c.scim.externalId = @v", value: eq.value }
        : eq?.attribute === "id"
          ? { where: "c.sourceId = @v", value: eq.value }
          : undefined;
  const test = filter ? matcher(filter) : () => true;
  const resources = (await s.users(r.connection, narrow)).map((d) => renderUser(d, r.base)).filter(test);
  return listResponse(resources, query, projectionOf(query));
}

export async function createUser(s: ScimService, r: UserRequest, body: unknown): Promise<Json> {
  const input = parseUser(body);
  const nameKey = input.userName.toLowerCase();
  await requireFreeName(s, r, nameKey);
  return s.write(r.connection, r.tokenId, async (ctx) => {
    const { id, previous } = await s.newId(r.connection, "user", input.externalId, nameKey);
    const elsewhere = previous ? undefined : await matchElsewhere(s, r.connection, input, id);
    const target = (previous as ProfileDoc | undefined) ?? elsewhere;
    const sourceId = target?.sourceId ?? id;
    const at = ctx.now().toISOString();
    const shadow: ScimShadow = {
      connectionId: r.connection.id,
      id: sourceId,
      nameKey,
      ...(input.externalId ? { externalId: input.externalId } : {}),
      resource: input.resource,
      version: (target?.scim?.version ?? 0) + 1,
      createdAt: at,
      updatedAt: at,
    };
    const doc = await applyUser(
      s,
      ctx,
      input,
      shadow,
      target,
      elsewhere ? "linked to the existing profile of this person" : "provisioned by Entra",
    );
    return renderUser(doc, r.base);
  });
}

/**
 * The profile another connection already holds for this person: by Entra object id (externalId), then by
 * UPN (userName), then by email. One person is one profile, never two.
 */
async function matchElsewhere(
  s: ScimService,
  connection: ConnectionDoc,
  input: UserInput,
  id: string,
): Promise<ProfileDoc | undefined> {
  if (!(await s.hasOtherConnections(connection))) return undefined;
  const email = (asGraphUser(input, id).mail ?? "").toLowerCase();
  const rows = await s.store.profiles.all(connection.tenantId, {
    where:
      "c.connectionId != @c AND c.status != 'deleted' AND NOT IS_DEFINED(c.scim) AND (c.sourceId = @id OR c.upnKey = @upn OR c.emailKey = @mail)",
    parameters: [
      { name: "@c", value: connection.id },
      { name: "@id", value: id },
      { name: "@upn", value: input.userName.toLowerCase() },
      { name: "@mail", value: email || "\u0000" },
    ],
  });
  return (
    rows.find((p) => p.sourceId === id) ??
    rows.find((p) => p.upnKey === input.userName.toLowerCase()) ??
    rows.find((p) => email && p.emailKey === email)
  );
}

async function requireFreeName(s: ScimService, r: UserRequest, nameKey: string, except?: string) {
  const holder = await s.userByName(r.connection, nameKey);
  if (holder && holder.sourceId !== except)
    throw new ScimError(
      409,
      `userName "${nameKey}" is already used by user ${holder.sourceId}`,
      "uniqueness",
    );
}

/** The person as the connection's mapping sees them, with the custom attributes defined in advance. */
export function mapScimUser(ctx: WriteContext, input: UserInput, id: string) {
  const mapped = mapUser(asGraphUser(input, id), ctx.settings, ctx.definedAttributes);
  const custom = customAttributes(input, ctx.definedAttributes);
  mapped.attributes = { ...mapped.attributes, ...custom.values };
  return { mapped, custom };
}

/** Maps, checks and writes a user; a deactivation passes the push-mode deletion guard first. */
async function applyUser(
  s: ScimService,
  ctx: WriteContext,
  input: UserInput,
  shadow: ScimShadow,
  target: ProfileDoc | undefined,
  reason: string,
): Promise<ProfileDoc> {
  const { mapped, custom } = mapScimUser(ctx, input, shadow.id);
  const notes = [
    ...(custom.unknown.length
      ? [`custom attributes not defined here, ignored: ${custom.unknown.join(", ")}`]
      : []),
    ...(input.ignored.length
      ? [`attributes this endpoint does not keep, ignored: ${input.ignored.join(", ")}`]
      : []),
  ];
  for (const n of custom.unknown)
    ctx.reporter.note(
      `Entra sent custom attribute "${n}", which is not defined; it was ignored. Define the attribute to sync it.`,
    );
  const missing = missingFields(ctx, mapped);
  if (missing.length > 0) {
    skipPerson(ctx, mapped, `missing required ${missing.join(", ")}`);
    throw invalidValue(
      scimNameOf(missing[0] as string),
      `is required by this directory (${missing.join(", ")} missing)`,
    );
  }
  let status: "active" | "inactive" = input.active ? "active" : "inactive";
  const own = !target || target.connectionId === ctx.connection.id;
  if (own && target?.status === "active" && status === "inactive") {
    const verdict = await s.guard.admit(
      ctx,
      {
        kind: "user",
        scimId: shadow.id,
        action: "deactivated",
        at: ctx.now().toISOString(),
        name: mapped.displayName,
      },
      () => s.population(ctx.connection),
    );
    // Held: the client's view (active=false) is kept, the profile stays active until an admin decides.
    if (verdict === "held") status = "active";
  }
  const why = [reason, ...notes].join("; ");
  const { doc } = await writePerson(ctx, {
    mapped,
    status,
    ...(target ? { target } : {}),
    shadow,
    reason: why,
  });
  return doc;
}

async function updateUser(
  s: ScimService,
  r: UserRequest,
  current: ProfileDoc,
  input: UserInput,
): Promise<Json> {
  const nameKey = input.userName.toLowerCase();
  if (nameKey !== current.scim?.nameKey) await requireFreeName(s, r, nameKey, current.sourceId);
  return s.write(r.connection, r.tokenId, async (ctx) => {
    const before = current.scim as ScimShadow;
    const shadow: ScimShadow = {
      ...before,
      nameKey,
      resource: input.resource,
      version: before.version + 1,
      updatedAt: ctx.now().toISOString(),
    };
    if (input.externalId) shadow.externalId = input.externalId;
    else delete shadow.externalId;
    const doc = await applyUser(s, ctx, input, shadow, current, "changed by Entra provisioning");
    return renderUser(doc, r.base);
  });
}

export async function replaceUser(
  s: ScimService,
  r: UserRequest,
  id: string,
  body: unknown,
  ifMatch?: string,
) {
  const current = await s.user(r.connection, id);
  if (!current?.scim) throw notFound("User", id);
  checkVersion(current.scim.version, ifMatch);
  return updateUser(s, r, current, parseUser(body));
}

export async function patchUser(s: ScimService, r: UserRequest, id: string, body: unknown, ifMatch?: string) {
  const current = await s.user(r.connection, id);
  if (!current?.scim) throw notFound("User", id);
  checkVersion(current.scim.version, ifMatch);
  const ops = normalizePatch(body, "User");
  const patched = applyPatch(current.scim.resource, ops);
  return updateUser(s, r, current, parseUser(patched));
}

/**
 * Soft delete: the profile stays restorable for the connection's retention window, as a pull's deletions
 * do; it leaves this connection's groups. Held instead when the deletion guard trips.
 */
export async function deleteUser(
  s: ScimService,
  r: UserRequest,
  id: string,
  ifMatch?: string,
): Promise<void> {
  const current = await s.user(r.connection, id);
  if (!current?.scim) throw notFound("User", id);
  checkVersion(current.scim.version, ifMatch);
  await s.write(r.connection, r.tokenId, async (ctx) => {
    if (current.connectionId !== ctx.connection.id) {
      await leavePerson(
        ctx,
        current,
        "deprovisioned by Entra; the profile stays with the connection that owns it",
      );
      return;
    }
    const verdict = await s.guard.admit(
      ctx,
      {
        kind: "user",
        scimId: current.sourceId,
        action: "deleted",
        at: ctx.now().toISOString(),
        name: current.displayName,
      },
      () => s.population(ctx.connection),
    );
    if (verdict === "held") return;
    await leaveGroups(s, ctx, current);
    await deletePerson(
      ctx,
      current,
      `deleted by Entra provisioning (restorable for ${ctx.settings.retentionDays} days)`,
    );
  });
}

/** A deleted user leaves this connection's lists, with the lists' counts and events. */
export async function leaveGroups(s: ScimService, ctx: WriteContext, user: ProfileDoc): Promise<void> {
  const edges = await s.store.memberships.all(ctx.connection.tenantId, {
    where: "c.connectionId = @c AND c.memberSourceId = @m",
    parameters: [
      { name: "@c", value: ctx.connection.id },
      { name: "@m", value: user.sourceId },
    ],
  });
  const lists = await s.store.lists.readMany(
    ctx.connection.tenantId,
    edges.map((e) => e.listId),
  );
  for (const list of lists.values())
    if (list.status !== "deleted") await changeMembers(ctx, list, [], [user.sourceId]);
}
