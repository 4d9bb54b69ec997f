import express, { type NextFunction, type Request, type Response, Router } from "express";
import { ScimTokenRefused, type ScimTokens } from "../auth/scim-tokens.ts";
import { SCIM_PATH_PREFIX } from "../contract/scim.ts";
import type { Logger } from "../logger.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import { resourceTypes, schemas, serviceProviderConfig } from "./discovery.ts";
import { invalidValue, ScimError } from "./errors.ts";
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from "./groups.ts";
import { prototypeKeyPath } from "./prototype-keys.ts";
import type { ScimService } from "./provisioning.ts";
import type { TokenBuckets } from "./rate-limit.ts";
import {
  createUser,
  deleteUser,
  getUser,
  listUsers,
  patchUser,
  replaceUser,
  type UserRequest,
} from "./users.ts";

export interface ScimRouteDeps {
  service: ScimService;
  tokens: ScimTokens;
  limiter: TokenBuckets;
  logger: Logger;
}

/** Largest body accepted: a group sent with its members in one PUT is the biggest Entra sends. */
const BODY_LIMIT = "1mb";
const SCIM_JSON = "application/scim+json";

interface Caller {
  connection: ConnectionDoc;
  tokenId: string;
}

const callerOf = (res: Response) => res.locals.scimCaller as Caller;

const requestOf = (req: Request, res: Response): UserRequest => {
  const caller = callerOf(res);
  return {
    connection: caller.connection,
    tokenId: caller.tokenId,
    base: `${req.protocol}://${req.get("host")}${SCIM_PATH_PREFIX}/${caller.connection.id}`,
  };
};

const send = (res: Response, status: number, body: unknown) => {
  const meta = (body as { meta?: { version?: string } } | undefined)?.meta;
  if (meta?.version) res.set("ETag", meta.version);
  res.status(status).type(SCIM_JSON).send(JSON.stringify(body));
};

const query = (req: Request) => req.query as Record<string, unknown>;
const param = (req: Request, name: string) => String(req.params[name] ?? "");
const ifMatch = (req: Request) => req.get("if-match") ?? undefined;

/**
 * The SCIM 2.0 endpoint Entra's provisioning service drives, at `/scim/v2/<connectionId>` (the "Tenant
 * URL"), authenticated by the connection's secret token. Mounted before the API's own body parser, so a
 * body that is not JSON also gets a SCIM error.
 */
export function scimRoutes(deps: ScimRouteDeps): Router {
  const { service } = deps;
  const router = Router();
  const scoped = Router({ mergeParams: true, caseSensitive: false });
  router.use(`${SCIM_PATH_PREFIX}/:connectionId`, scoped);

  scoped.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const header = req.get("authorization") ?? "";
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match)
        throw new ScimError(
          401,
          "Send the connection's secret token as a bearer token (Authorization: Bearer <token>).",
        );
      const verified = await deps.tokens
        .verify(match[1] as string, param(req, "connectionId"))
        .catch((err) => {
          throw err instanceof ScimTokenRefused ? new ScimError(401, err.message) : err;
        });
      const wait = deps.limiter.take(`${verified.connection.id}/${verified.tokenId}`);
      if (wait !== undefined)
        throw new ScimError(
          429,
          `Too many requests for this token; retry after ${wait} seconds.`,
          "tooMany",
          wait,
        );
      res.locals.scimCaller = verified satisfies Caller;
      service.cycles
        .noteUse(verified.connection, verified.tokenId)
        .catch((err) => deps.logger.warn({ err }, "Could not record when a SCIM token was used"));
      next();
    } catch (err) {
      next(err);
    }
  });
  scoped.use(
    express.json({
      type: [SCIM_JSON, "application/json", "application/*+json"],
      limit: BODY_LIMIT,
      strict: false,
    }),
  );

  scoped.use((req: Request, _res: Response, next: NextFunction) => {
    const key = prototypeKeyPath(req.body);
    if (key)
      throw invalidValue(
        key,
        "is not an attribute; bodies must not hold __proto__, constructor or prototype",
      );
    next();
  });

  scoped.get(["/ServiceProviderConfig", "/serviceConfiguration"], (req, res) =>
    send(res, 200, serviceProviderConfig(requestBase(req))),
  );
  scoped.get("/ResourceTypes", (req, res) => send(res, 200, resourceTypes(requestBase(req))));
  scoped.get("/Schemas", async (req, res) =>
    send(
      res,
      200,
      schemas(requestBase(req), [...(await service.definedAttributes(callerOf(res).connection.tenantId))]),
    ),
  );

  scoped.get("/Users", async (req, res) =>
    send(res, 200, await listUsers(service, requestOf(req, res), query(req))),
  );
  scoped.post("/Users", async (req, res) =>
    send(res, 201, await createUser(service, requestOf(req, res), req.body)),
  );
  scoped.get("/Users/:id", async (req, res) => {
    const user = await getUser(service, requestOf(req, res), param(req, "id"), query(req));
    const version = (user.meta as { version?: string } | undefined)?.version;
    if (version && req.get("if-none-match") === version) {
      res.status(304).set("ETag", version).end();
      return;
    }
    send(res, 200, user);
  });
  scoped.put("/Users/:id", async (req, res) =>
    send(res, 200, await replaceUser(service, requestOf(req, res), param(req, "id"), req.body, ifMatch(req))),
  );
  scoped.patch("/Users/:id", async (req, res) => {
    const user = await patchUser(service, requestOf(req, res), param(req, "id"), req.body, ifMatch(req));
    const version = (user.meta as { version?: string } | undefined)?.version;
    if (version) res.set("ETag", version);
    res.status(204).end();
  });
  scoped.delete("/Users/:id", async (req, res) => {
    await deleteUser(service, requestOf(req, res), param(req, "id"), ifMatch(req));
    res.status(204).end();
  });

  scoped.get("/Groups", async (req, res) =>
    send(res, 200, await listGroups(service, requestOf(req, res), query(req))),
  );
  scoped.post("/Groups", async (req, res) =>
    send(res, 201, await createGroup(service, requestOf(req, res), req.body)),
  );
  scoped.get("/Groups/:id", async (req, res) =>
    send(res, 200, await getGroup(service, requestOf(req, res), param(req, "id"), query(req))),
  );
  scoped.put("/Groups/:id", async (req, res) =>
    send(
      res,
      200,
      await replaceGroup(service, requestOf(req, res), param(req, "id"), req.body, ifMatch(req)),
    ),
  );
  scoped.patch("/Groups/:id", async (req, res) => {
    await patchGroup(service, requestOf(req, res), param(req, "id"), req.body, ifMatch(req));
    res.status(204).end();
  });
  scoped.delete("/Groups/:id", async (req, res) => {
    await deleteGroup(service, requestOf(req, res), param(req, "id"), ifMatch(req));
    res.status(204).end();
  });

  scoped.use((req: Request) => {
    throw new ScimError(404, `No such SCIM endpoint: ${req.method} ${req.path}`);
  });
  scoped.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const scim = asScimError(err);
    if (scim.status >= 500) deps.logger.error({ err, path: req.path }, "SCIM request failed");
    if (scim.status === 401) res.set("WWW-Authenticate", 'Bearer realm="scim"');
    if (scim.retryAfter) res.set("Retry-After", String(scim.retryAfter));
    send(res, scim.status, scim.body());
  });
  return router;
}

const requestBase = (req: Request) =>
  `${req.protocol}://${req.get("host")}${SCIM_PATH_PREFIX}/${param(req, "connectionId")}`;

/** Body-parser refusals and anything unexpected, as SCIM errors. */
function asScimError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  const type = (err as { type?: string }).type;
  if (type === "entity.parse.failed")
    return new ScimError(400, `The body is not valid JSON: ${(err as Error).message}`, "invalidSyntax");
  if (type === "entity.too.large") return new ScimError(413, `The body is larger than ${BODY_LIMIT}.`);
  if (type === "encoding.unsupported" || type === "charset.unsupported")
    return new ScimError(415, (err as Error).message);
  return new ScimError(500, "The request could not be completed; it is safe to retry.");
}
