import { type NextFunction, type Request, type Response, Router } from "express";
import type { ConsentFlows } from "../../auth/consent.ts";
import type { ScimTokens } from "../../auth/scim-tokens.ts";
import { ConnectionRefused, type ConnectionsService, publicView } from "../../connections/service.ts";
import type { Page } from "../../contract/common.ts";
import {
  type Connection,
  type ConsentUrl,
  type CreatedConnection,
  connectionIdParam,
  createConnectionSchema,
  type DeleteResult,
  deleteQuerySchema,
  patchConnectionSchema,
  type TestResult,
} from "../../contract/connections.ts";
import { scimTenantUrl } from "../../contract/scim.ts";
import type { ConnectionDoc } from "../../store/documents.ts";
import { principalOf, requireAdmin, requireReader } from "../principal.ts";
import { HttpProblem } from "../problem.ts";
import { parseInput } from "../validate.ts";

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) =>
  fn(req, res).catch((err) => next(mapRefusal(err)));

export function mapRefusal(err: unknown): unknown {
  if (err instanceof ConnectionRefused) {
    const { code, message, remedy, ...extra } = err.problem;
    return new HttpProblem(err.status, { code, message, remedy, ...extra });
  }
  return err;
}

const actorOf = (req: Request) => {
  const p = principalOf(req);
  return { oid: p.oid, name: p.name, ...(p.upn ? { upn: p.upn } : {}) };
};
const send = (res: Response, c: ConnectionDoc, status = 200) => {
  if (c._etag) res.set("ETag", c._etag);
  res.status(status).json(publicView(c) satisfies Connection);
};

/** /api/connections: CRUD, test, (de)activation, deletion with confirmation, and admin consent. */
export function connectionRoutes(
  service: ConnectionsService,
  consent: ConsentFlows,
  scim: { tokens: ScimTokens; publicUrl: string },
): Router {
  const router = Router();

  router.get(
    "/connections",
    wrap(async (req, res) => {
      const p = requireReader(req);
      const connections = await service.list(p.tenantId);
      const due = await service.nextRuns(connections);
      res.json({
        items: connections.map((c) => ({
          ...publicView(c),
          ...(due.has(c.id) ? { nextRunAt: due.get(c.id) } : {}),
        })),
      } satisfies Page<Connection>);
    }),
  );

  router.post(
    "/connections",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      const input = parseInput(createConnectionSchema, req.body);
      const created = await service.create(p.tenantId, input, actorOf(req));
      if (created.kind !== "scim") return send(res, created, 201);
      // The only time the first token is shown: it is kept as a hash from now on.
      const issued = await scim.tokens.issue(created, actorOf(req));
      if (issued.connection._etag) res.set("ETag", issued.connection._etag);
      res
        .status(201)
        .set("Cache-Control", "no-store")
        .json({
          ...publicView(issued.connection),
          scim: {
            tenantUrl: scimTenantUrl(scim.publicUrl, created.id),
            token: issued.token,
            tokenId: issued.tokenId,
            previousValidUntil: null,
          },
        } satisfies CreatedConnection);
    }),
  );

  router.get(
    "/connections/orphaned-data",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      res.json({ items: await service.orphanedData(p.tenantId) });
    }),
  );

  router.get(
    "/connections/:id",
    wrap(async (req, res) => {
      const p = requireReader(req);
      const { id } = parseInput(connectionIdParam, req.params, "path");
      send(res, await service.get(p.tenantId, id));
    }),
  );

  router.patch(
    "/connections/:id",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      const { id } = parseInput(connectionIdParam, req.params, "path");
      const input = parseInput(patchConnectionSchema, req.body);
      // Without the version a settings change was made from, a concurrent change would be overwritten
      // unseen. A new client secret alone replaces the credential whatever the version, as reauthorizing does.
      const ifMatch = req.get("if-match");
      const editsSettings = ["name", "settings", "schedule", "allowConcurrent"].some((k) => k in input);
      if (!ifMatch && editsSettings)
        throw new HttpProblem(428, {
          code: "if-match-required",
          message: "Changing a connection needs the If-Match header with the ETag it was read with",
          remedy:
            "Read the connection (GET /api/connections/:id answers its ETag), then send the change with If-Match.",
        });
      send(res, await service.update(p.tenantId, id, input, actorOf(req), ifMatch ?? undefined));
    }),
  );

  router.post(
    "/connections/:id/test",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      const { id } = parseInput(connectionIdParam, req.params, "path");
      const result = await service.test(p.tenantId, id);
      if (result.problem?.kind === "consent-missing") {
        // Say it so the tab can act: a stable code and the URL to open for admin consent.
        const connection = await service.get(p.tenantId, id);
        const consentUrl = await consent.start(connection, actorOf(req));
        res.json({
          ...result,
          error: { ...result.problem, cause: result.problem.code, code: "consent-required", consentUrl },
        } satisfies TestResult);
        return;
      }
      res.json((result.problem ? { ...result, error: result.problem } : result) satisfies TestResult);
    }),
  );

  for (const action of ["deactivate", "reactivate"] as const)
    router.post(
      `/connections/:id/${action}`,
      wrap(async (req, res) => {
        const p = requireAdmin(req);
        const { id } = parseInput(connectionIdParam, req.params, "path");
        send(res, await service.setActive(p.tenantId, id, action === "reactivate", actorOf(req)));
      }),
    );

  router.delete(
    "/connections/:id",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      const { id } = parseInput(connectionIdParam, req.params, "path");
      const query = parseInput(deleteQuerySchema, req.query, "query");
      const result = await service.remove(
        p.tenantId,
        id,
        { confirm: query.confirm === "true", ...(query.data ? { data: query.data } : {}) },
        actorOf(req),
      );
      res.json(result satisfies DeleteResult);
    }),
  );

  router.post(
    "/connections/:id/consent",
    wrap(async (req, res) => {
      const p = requireAdmin(req);
      const { id } = parseInput(connectionIdParam, req.params, "path");
      const connection = await service.get(p.tenantId, id);
      res.json({ url: await consent.start(connection, actorOf(req)) } satisfies ConsentUrl);
    }),
  );

  return router;
}
