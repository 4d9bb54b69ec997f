import { randomUUID } from "node:crypto";
import { SimError } from "../errors.ts";
import { requireAny } from "./auth.ts";
import type { GraphResponse, RouteContext } from "./types.ts";

/** Graph's lists for the two calls, least privileged first (application permissions). */
const SEND_MAIL = ["Mail.Send"];
const INSTALL_FOR_USER = [
  "TeamsAppInstallation.ReadWriteSelfForUser.All",
  "TeamsAppInstallation.ReadWriteForUser.All",
  "TeamsAppInstallation.ReadWriteAndConsentSelfForUser.All",
  "TeamsAppInstallation.ReadWriteAndConsentForUser.All",
];

const CATALOG_BIND = /\/appCatalogs\/teamsApps\/([^/?#]+)$/;

const badRequest = (code: string, message: string) => new SimError(400, code, message);

/**
 * `POST /users/{id | userPrincipalName}/sendMail`: 202 Accepted with no body. The path's user is the
 * sending mailbox: unknown 404 `ErrorInvalidUser`, without a mailbox 404 `MailboxNotEnabledForRESTAPI`,
 * outside the application access policy 403 `ErrorAccessDenied`.
 */
export function sendMail(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, SEND_MAIL);
  const ref = String(ctx.match[1]);
  const tenantId = ctx.caller.tenant.id;
  // Exchange resolves a mailbox by object id, user principal name or SMTP address.
  const sender = ctx.dir
    .listUsers(tenantId)
    .find(
      (u) => u.id === ref.toLowerCase() || sameAddress(u.userPrincipalName, ref) || sameAddress(u.mail, ref),
    );
  if (!sender) throw new SimError(404, "ErrorInvalidUser", `The requested user '${ref}' is invalid.`);
  if (!sender.mail)
    throw new SimError(
      404,
      "MailboxNotEnabledForRESTAPI",
      "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
    );
  if (!ctx.dir.outbox.allowsMailbox(tenantId, ctx.caller.appId, sender.mail))
    throw new SimError(
      403,
      "ErrorAccessDenied",
      "Access to OData is disabled: the application access policy does not allow this mailbox.",
    );
  const body = (ctx.req.body ?? {}) as { message?: Record<string, unknown>; saveToSentItems?: unknown };
  const message = body.message;
  if (!message || typeof message !== "object")
    throw badRequest("ErrorInvalidRequest", "Cannot read the request body: 'message' is required.");
  const to = recipients(message.toRecipients);
  if (to.length === 0)
    throw badRequest(
      "ErrorInvalidRecipients",
      "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
    );
  const content = (message.body ?? {}) as { contentType?: unknown; content?: unknown };
  const contentType = String(content.contentType ?? "text").toLowerCase();
  if (contentType !== "text" && contentType !== "html")
    throw badRequest(
      "ErrorInvalidRequest",
      `The value '${String(content.contentType)}' is not a valid body content type.`,
    );
  ctx.dir.outbox.mail.push({
    tenantId,
    appId: ctx.caller.appId,
    from: sender.mail.toLowerCase(),
    to,
    subject: String(message.subject ?? ""),
    contentType,
    body: String(content.content ?? ""),
    saveToSentItems: body.saveToSentItems !== false,
    at: new Date(ctx.dir.now()).toISOString(),
  });
  return { status: 202, headers: {} };
}

/**
 * `POST /users/{id | userPrincipalName}/teamwork/installedApps` with `teamsApp@odata.bind` naming an app of
 * the catalog: 201 Created; 409 `Conflict` when the user already has the app.
 */
export function installAppForUser(ctx: RouteContext): GraphResponse {
  requireAny(ctx.caller, INSTALL_FOR_USER);
  const ref = String(ctx.match[1]);
  const tenantId = ctx.caller.tenant.id;
  const user = ctx.dir.getUser(tenantId, ref);
  const bind = ((ctx.req.body ?? {}) as Record<string, unknown>)["teamsApp@odata.bind"];
  const teamsAppId = typeof bind === "string" ? CATALOG_BIND.exec(bind)?.[1] : undefined;
  if (!teamsAppId)
    throw badRequest(
      "BadRequest",
      "teamsApp@odata.bind is required and must name an app of the catalog (…/appCatalogs/teamsApps/{id}).",
    );
  if (ctx.dir.outbox.installation(tenantId, user.id, teamsAppId))
    throw new SimError(409, "Conflict", "App is already installed.");
  ctx.dir.outbox.installations.push({
    tenantId,
    userId: user.id,
    teamsAppId,
    id: randomUUID(),
    installedBy: ctx.caller.appId,
    at: new Date(ctx.dir.now()).toISOString(),
  });
  return { status: 201, headers: {} };
}

function recipients(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((r) => {
    const address = (r as { emailAddress?: { address?: unknown } })?.emailAddress?.address;
    return typeof address === "string" && /^[^\s@]+@[^\s@]+$/.test(address) ? [address] : [];
  });
}

const sameAddress = (a: string | null | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();
