import express, { type Express } from "express";
import type { SimDirectory } from "../directory/directory.ts";
import { SimError } from "../errors.ts";
import type { SimStats } from "../stats.ts";

/** Directory operations the admin API exposes; the same names as the in-process SimDirectory methods. */
const ADMIN_OPERATIONS = [
  "listTenants",
  "now",
  "addUser",
  "updateUser",
  "disableUser",
  "enableUser",
  "softDeleteUser",
  "restoreUser",
  "hardDeleteUser",
  "getUser",
  "listUsers",
  "listDeletedUsers",
  "addGroup",
  "updateGroup",
  "softDeleteGroup",
  "restoreGroup",
  "hardDeleteGroup",
  "getGroup",
  "listGroups",
  "addMember",
  "removeMember",
  "listMembers",
  "grantAppPermissions",
  "grantDelegatedPermissions",
  "revokeConsent",
  "listConsents",
  "expireSecret",
  "setSecret",
  "revokeRefreshTokens",
  "revokeAccessTokens",
  "assignRole",
  "removeRole",
  "listRoleAssignments",
  "listSubscriptions",
  "sendLifecycleEvent",
  "setSubscriptionExpiry",
  "setNotificationDelivery",
  "notificationStats",
  "listSentMail",
  "listUserAppInstallations",
  "restrictMailboxes",
  "clearOutbox",
  "injectFault",
  "clearFaults",
  "issueUserToken",
  "jwks",
] as const;
export type AdminOperation = (typeof ADMIN_OPERATIONS)[number];

/**
 * `POST /_sim/{operation}` with `{"args": [...]}` calls the SimDirectory method of that name and answers
 * `{"result": ...}`; failures answer `{"error": {"code", "message"}}` with the matching status.
 */
export function mountAdmin(app: Express, dir: SimDirectory, stats: SimStats): void {
  const allowed = new Set<string>(ADMIN_OPERATIONS);
  app.get("/_sim", (_req, res) => {
    res.json({ operations: ADMIN_OPERATIONS, url: dir.baseUrl });
  });
  app.get("/_sim/stats", (_req, res) => {
    res.json({ ...stats, reset: undefined });
  });
  app.post("/_sim/stats/reset", (_req, res) => {
    stats.reset();
    res.json({ result: null });
  });
  app.post("/_sim/:operation", express.json({ limit: "20mb" }), async (req, res) => {
    const op = String(req.params.operation);
    if (!allowed.has(op)) {
      res.status(404).json({ error: { code: "UnknownOperation", message: `No admin operation '${op}'.` } });
      return;
    }
    const args = Array.isArray(req.body?.args) ? req.body.args : [];
    try {
      const fn = (dir as unknown as Record<string, (...a: unknown[]) => unknown>)[op] as (
        ...a: unknown[]
      ) => unknown;
      const result = await fn.apply(dir, args);
      res.json({ result: result ?? null });
    } catch (err) {
      const e = err instanceof SimError ? err : new SimError(400, "BadRequest", (err as Error).message);
      res.status(e.status).json({ error: { code: e.code, message: e.message } });
    }
  });
}
