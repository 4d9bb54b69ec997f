import { type NextFunction, type Request, type Response, Router } from "express";
import type { ConsentFlows } from "../../auth/consent.ts";
import type { ConnectionCredentials } from "../../auth/credentials.ts";
import { graphScopes } from "../../auth/msal.ts";
import type { ConnectionsService } from "../../connections/service.ts";
import type { Page } from "../../contract/common.ts";
import { type GroupHit, groupLookupQuerySchema, groupSearchQuerySchema } from "../../contract/groups.ts";
import type { GraphApi } from "../../graph/client.ts";
import { isDirectoryProblem } from "../../graph/problems.ts";
import { principalOf, requireAdmin } from "../principal.ts";
import { HttpProblem } from "../problem.ts";
import { parseInput } from "../validate.ts";

/** What the group picker asks Graph for as the signed-in admin (on-behalf-of); declared in aad.manifest.json. */
export const GROUP_SEARCH_GRAPH_SCOPES = ["GroupMember.Read.All"];

interface GraphGroup {
  id: string;
  displayName: string;
  groupTypes?: string[];
  mail?: string | null;
}

const EVENTUAL = { ConsistencyLevel: "eventual" };

/**
 * GET /api/groups/search?q=: the group picker. Inside Teams it calls Graph on behalf of the signed-in
 * admin (their SSO token exchanged with msal-node OBO), so the picker shows what that admin may see; in a
 * browser session (no bearer token to exchange) it reads with the tenant's active connection.
 */
export function groupsRoutes(deps: {
  credentials: ConnectionCredentials;
  connections: ConnectionsService;
  consent: ConsentFlows;
  graphBaseUrl: string;
}): Router {
  const router = Router();
  router.get("/groups/search", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const p = requireAdmin(req);
      const { q } = parseInput(groupSearchQuerySchema, req.query, "query");
      const graph = await graphFor(req, p.tenantId);
      const term = q.replace(/["\\]/g, "");
      const page = await graph.get<{ value?: GraphGroup[] }>(
        `/groups?$search=${encodeURIComponent(`"displayName:${term}"`)}&$select=id,displayName,groupTypes,mail&$top=25&$count=true&$orderby=displayName`,
        EVENTUAL,
      );
      res.json({ items: await withCounts(graph, page.value ?? []) } satisfies Page<GroupHit>);
    } catch (err) {
      next(await mapError(err, req));
    }
  });

  // GET /api/groups/lookup?ids=a,b: names for groups already chosen (settings keep ids only); ids the
  // directory no longer has are left out.
  router.get("/groups/lookup", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const p = requireAdmin(req);
      const { ids } = parseInput(groupLookupQuerySchema, req.query, "query");
      const graph = await graphFor(req, p.tenantId);
      const found = await graph.batchGet(
        ids.map((id, i) => ({ id: String(i), url: `/groups/${id}?$select=id,displayName,groupTypes,mail` })),
      );
      const groups = found.flatMap((r) => (r.status === 200 ? [r.body as GraphGroup] : []));
      res.json({ items: await withCounts(graph, groups) } satisfies Page<GroupHit>);
    } catch (err) {
      next(await mapError(err, req));
    }
  });

  /** Picker entries: each group with its direct member count (null when Graph did not answer one). */
  async function withCounts(graph: GraphApi, groups: GraphGroup[]): Promise<GroupHit[]> {
    const counts = await graph.batchGet(
      groups.map((g, i) => ({ id: String(i), url: `/groups/${g.id}/members/$count`, headers: EVENTUAL })),
    );
    return groups.map((g, i) => {
      const r = counts[i];
      const n = r && r.status === 200 ? Number(r.body) : Number.NaN;
      return {
        id: g.id,
        displayName: g.displayName,
        groupTypes: g.groupTypes ?? [],
        mail: g.mail ?? null,
        memberCount: Number.isFinite(n) ? n : null,
      };
    });
  }

  async function graphFor(req: Request, tenantId: string): Promise<GraphApi> {
    const auth = req.headers.authorization;
    if (auth?.toLowerCase().startsWith("bearer "))
      return deps.credentials.graphOnBehalfOf(
        tenantId,
        auth.slice(7),
        graphScopes(deps.graphBaseUrl, GROUP_SEARCH_GRAPH_SCOPES),
      );
    const active = (await deps.connections.list(tenantId)).find(
      (c) => c.status === "active" && c.kind !== "scim",
    );
    if (!active)
      throw new HttpProblem(409, {
        code: "no-connection",
        message: "There is no active connection to search groups with",
        remedy: "Open the app inside Teams, or create and authorize a connection first.",
      });
    return deps.credentials.graphFor(active);
  }

  async function mapError(err: unknown, req: Request): Promise<unknown> {
    if (!isDirectoryProblem(err)) return err;
    if (err.kind === "consent-missing") {
      const p = principalOf(req);
      const consentUrl = await deps.consent.startProductConsent(p.tenantId, { oid: p.oid, name: p.name });
      return new HttpProblem(403, {
        code: "consent-required",
        message: err.message,
        remedy: err.remedy,
        consentUrl,
      } as never);
    }
    const status = err.kind === "permission-missing" ? 403 : err.kind === "auth-lost" ? 401 : 502;
    return new HttpProblem(status, { code: err.kind, message: err.message, remedy: err.remedy });
  }
  return router;
}
