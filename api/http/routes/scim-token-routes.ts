import { type NextFunction, type Request, type Response, Router } from "express";
import type { ScimTokens } from "../../auth/scim-tokens.ts";
import type { ConnectionsService } from "../../connections/service.ts";
import { connectionIdParam } from "../../contract/connections.ts";
import {
  type IssuedScimToken,
  rotateScimTokenSchema,
  SCIM_ATTRIBUTE_MAPPINGS,
  SCIM_CUSTOM_SCHEMA,
  type ScimSetup,
  scimTenantUrl,
} from "../../contract/scim.ts";
import type { ConnectionDoc } from "../../store/documents.ts";
import { principalOf, requireAdmin } from "../principal.ts";
import { HttpProblem } from "../problem.ts";
import { parseInput } from "../validate.ts";
import { mapRefusal } from "./connection-routes.ts";

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) =>
  fn(req, res).catch((err) => next(mapRefusal(err)));

export interface ScimTokenRouteDeps {
  connections: ConnectionsService;
  tokens: ScimTokens;
  publicUrl: string;
  /** Seconds of silence that end a provisioning cycle (shown to the admin). */
  cycleIdleSeconds: number;
  /** When the endpoint was last called, and with which token. */
  usage(
    tenantId: string,
    connectionId: string,
  ): Promise<{ lastRequestAt?: string; tokenUsedAt: Record<string, string> }>;
}

const notScim = (c: ConnectionDoc) =>
  new HttpProblem(409, {
    code: "not-applicable",
    message: `Connection "${c.name}" pulls from Graph; only push (scim) connections have a tenant URL and token`,
    remedy: "Create a connection of kind scim for Entra's provisioning service.",
  });

/** The tenant URL and secret token an admin pastes into Entra's provisioning settings (see api/contract/scim.ts). */
export function scimTokenRoutes(deps: ScimTokenRouteDeps): Router {
  const router = Router();
  const actorOf = (req: Request) => {
    const p = principalOf(req);
    return { oid: p.oid, name: p.name, ...(p.upn ? { upn: p.upn } : {}) };
  };

  router.get(
    "/connections/:id/scim",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      const { id } = parseInput(connectionIdParam, req.params, "path");
      const connection = await deps.connections.get(p.tenantId, id);
      if (connection.kind !== "scim") throw notScim(connection);
      const state = await deps.usage(p.tenantId, id);
      res.json({
        tenantUrl: scimTenantUrl(deps.publicUrl, id),
        tokens: (connection.scimTokens ?? []).map((t) => ({
          id: t.id,
          hint: t.hint,
          createdAt: t.createdAt,
          validUntil: t.validUntil ?? null,
          lastUsedAt: state.tokenUsedAt[t.id] ?? null,
        })),
        mappings: SCIM_ATTRIBUTE_MAPPINGS,
        customAttributeSchema: SCIM_CUSTOM_SCHEMA,
        cycleIdleSeconds: deps.cycleIdleSeconds,
        lastRequestAt: state.lastRequestAt ?? null,
      } satisfies ScimSetup);
    }),
  );

  router.post(
    "/connections/:id/scim/token",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      const { id } = parseInput(connectionIdParam, req.params, "path");
      const { graceMinutes } = parseInput(rotateScimTokenSchema, req.body ?? {});
      const connection = await deps.connections.get(p.tenantId, id);
      if (connection.kind !== "scim") throw notScim(connection);
      const issued = await deps.tokens.issue(connection, actorOf(req), graceMinutes);
      res.set("Cache-Control", "no-store").json({
        tenantUrl: scimTenantUrl(deps.publicUrl, id),
        token: issued.token,
        tokenId: issued.tokenId,
        previousValidUntil: issued.previousValidUntil,
      } satisfies IssuedScimToken);
    }),
  );
  return router;
}
