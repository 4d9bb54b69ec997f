import { SimError } from "../errors.ts";
import { type SimSubscription, type SubscribedResource, subscriptionView } from "../notifications/hub.ts";
import { requireAny } from "./auth.ts";
import type { GraphResponse, RouteContext } from "./types.ts";

const json = (status: number, body?: unknown): GraphResponse => ({
  status,
  headers: body === undefined ? {} : { "content-type": "application/json" },
  ...(body === undefined ? {} : { body }),
});

/** The permission each directory resource needs to be subscribed to (least privileged first). */
const SUBSCRIBE_PERMISSIONS: Record<SubscribedResource, readonly string[]> = {
  users: ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  groups: ["Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
};

const invalid = (message: string) => new SimError(400, "InvalidRequest", message);

function resourceKind(resource: unknown): SubscribedResource {
  const path = String(resource ?? "")
    .replace(/^\/+/, "")
    .toLowerCase();
  if (path === "users") return "users";
  if (path === "groups") return "groups";
  throw invalid(
    `Resource '${String(resource ?? "")}' is not supported here; the simulator serves subscriptions on 'users' and 'groups'.`,
  );
}

/** Graph delivers only over HTTPS; the simulator also accepts plain HTTP to the local machine. */
function checkUrl(field: string, value: unknown): string {
  if (typeof value !== "string" || value === "") throw invalid(`${field} is required.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${field} must be an absolute URL.`);
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw invalid(`The ${field} must use HTTPS.`);
  return value;
}

function checkChangeType(value: unknown): string {
  const types = String(value ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  if (types.length === 0) throw invalid("changeType is required.");
  for (const t of types)
    if (!["created", "updated", "deleted"].includes(t))
      throw invalid(`changeType '${t}' is not valid; use created, updated, deleted.`);
  // Directory objects report creation as "updated"; Graph refuses "created" on users and groups.
  if (types.includes("created"))
    throw invalid("changeType 'created' is not supported for users and groups; use 'updated'.");
  return types.join(",");
}

function own(ctx: RouteContext, id: string): SimSubscription {
  const sub = ctx.dir.subscriptions.live(id);
  if (!sub || sub.tenantId !== ctx.caller.tenant.id || sub.applicationId !== ctx.caller.appId)
    throw new SimError(404, "ResourceNotFound", `The object '${id}' was not found.`);
  return sub;
}

export async function createSubscription(ctx: RouteContext): Promise<GraphResponse> {
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  const kind = resourceKind(body.resource);
  const changeType = checkChangeType(body.changeType);
  const notificationUrl = checkUrl("notificationUrl", body.notificationUrl);
  const lifecycleNotificationUrl =
    body.lifecycleNotificationUrl === undefined || body.lifecycleNotificationUrl === null
      ? undefined
      : checkUrl("lifecycleNotificationUrl", body.lifecycleNotificationUrl);
  const expirationDateTime = ctx.dir.subscriptions.checkExpiration(body.expirationDateTime);
  if (body.clientState !== undefined && body.clientState !== null) {
    if (typeof body.clientState !== "string" || body.clientState.length > 128)
      throw invalid("clientState must be a string of at most 128 characters.");
  }
  requireAny(ctx.caller, SUBSCRIBE_PERMISSIONS[kind]);
  const sub = await ctx.dir.subscriptions.create({
    tenantId: ctx.caller.tenant.id,
    applicationId: ctx.caller.appId,
    creatorId: ctx.caller.userId ?? ctx.caller.appId,
    resource: String(body.resource),
    kind,
    changeType,
    notificationUrl,
    ...(lifecycleNotificationUrl ? { lifecycleNotificationUrl } : {}),
    ...(typeof body.clientState === "string" ? { clientState: body.clientState } : {}),
    expirationDateTime,
    latestSupportedTlsVersion: String(body.latestSupportedTlsVersion ?? "v1_2"),
  });
  return json(201, subscriptionView(sub, ctx.root));
}

export function listSubscriptions(ctx: RouteContext): GraphResponse {
  const subs = ctx.dir.subscriptions.listFor(ctx.caller.tenant.id, ctx.caller.appId);
  return json(200, {
    "@odata.context": `${ctx.root}/$metadata#subscriptions`,
    value: subs.map((s) => {
      const { "@odata.context": _c, ...rest } = subscriptionView(s, ctx.root);
      return rest;
    }),
  });
}

export function getSubscription(ctx: RouteContext): GraphResponse {
  return json(200, subscriptionView(own(ctx, String(ctx.match[1])), ctx.root));
}

/** Renewal: only expirationDateTime (and notificationUrl) may change. */
export async function updateSubscription(ctx: RouteContext): Promise<GraphResponse> {
  const sub = own(ctx, String(ctx.match[1]));
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  const expiration = ctx.dir.subscriptions.checkExpiration(body.expirationDateTime);
  if (body.notificationUrl !== undefined) {
    const url = checkUrl("notificationUrl", body.notificationUrl);
    await ctx.dir.subscriptions.validateEndpoint(url);
    sub.notificationUrl = url;
  }
  sub.expirationDateTime = expiration;
  // Renewing answers a reauthorizationRequired challenge as well as reauthorize does.
  sub.needsReauthorization = false;
  return json(200, subscriptionView(sub, ctx.root));
}

export function deleteSubscription(ctx: RouteContext): GraphResponse {
  const sub = own(ctx, String(ctx.match[1]));
  ctx.dir.subscriptions.remove(sub.id);
  return json(204);
}

export function reauthorizeSubscription(ctx: RouteContext): GraphResponse {
  const sub = own(ctx, String(ctx.match[1]));
  requireAny(ctx.caller, SUBSCRIBE_PERMISSIONS[sub.kind]);
  ctx.dir.subscriptions.reauthorize(sub.id);
  return json(204);
}
