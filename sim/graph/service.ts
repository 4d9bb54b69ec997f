import type { SimDirectory } from "../directory/directory.ts";
import { SimError } from "../errors.ts";
import type { SimStats } from "../stats.ts";
import { authenticate } from "./auth.ts";
import { delta } from "./delta.ts";
import * as r from "./directory-routes.ts";
import { graphError } from "./errors.ts";
import { installAppForUser, sendMail } from "./messaging-routes.ts";
import * as subs from "./subscription-routes.ts";
import { resourceUnits, type Throttler } from "./throttle.ts";
import type { Caller, GraphRequest, GraphResponse, RouteContext } from "./types.ts";

type Handler = (ctx: RouteContext) => GraphResponse | Promise<GraphResponse>;
interface Route {
  method: string;
  name: string;
  re: RegExp;
  handler: Handler;
}

const ID = "([^/]+)";
const route = (method: string, name: string, pattern: string, handler: Handler): Route => ({
  method,
  name: `${method} ${name}`,
  re: new RegExp(`^${pattern}$`, "i"),
  handler,
});

const ROUTES: Route[] = [
  route("GET", "/users", "/users", r.listUsers),
  route("GET", "/users/$count", "/users/\\$count", r.countUsers),
  route("GET", "/users/delta", "/users/(?:microsoft\\.graph\\.)?delta(?:\\(\\))?", delta("user")),
  route("GET", "/users/{id}", `/users/${ID}`, r.getUser),
  route("GET", "/users/{id}/photo", `/users/${ID}/photo`, r.photoMeta),
  route("GET", "/users/{id}/photo/$value", `/users/${ID}/photo/\\$value`, r.photoValue),
  route("GET", "/users/{id}/appRoleAssignments", `/users/${ID}/appRoleAssignments`, r.userAppRoleAssignments),
  route(
    "GET",
    "/servicePrincipals(appId='{appId}')",
    "/servicePrincipals\\(appId='([^'/]+)'\\)",
    r.servicePrincipalByAppId,
  ),
  route("GET", "/applications(appId='{appId}')", "/applications\\(appId='([^'/]+)'\\)", r.applicationByAppId),
  route("POST", "/users/{id}/sendMail", `/users/${ID}/sendMail`, sendMail),
  route(
    "POST",
    "/users/{id}/teamwork/installedApps",
    `/users/${ID}/teamwork/installedApps`,
    installAppForUser,
  ),
  route("GET", "/users/{id}/memberOf", `/users/${ID}/(?:transitiveMemberOf|memberOf)`, r.memberOf),
  route("GET", "/groups/{id}/memberOf", `/groups/${ID}/(?:transitiveMemberOf|memberOf)`, r.memberOf),
  route("GET", "/me", "/me", r.me),
  route("GET", "/me/photo", "/me/photo", r.photoMeta),
  route("GET", "/me/photo/$value", "/me/photo/\\$value", r.photoValue),
  route("GET", "/me/memberOf", "/me/(?:transitiveMemberOf|memberOf)", r.memberOf),
  route("GET", "/groups", "/groups", r.listGroups),
  route("GET", "/groups/$count", "/groups/\\$count", r.countGroups),
  route("GET", "/groups/delta", "/groups/(?:microsoft\\.graph\\.)?delta(?:\\(\\))?", delta("group")),
  route("GET", "/groups/{id}", `/groups/${ID}`, r.getGroup),
  route(
    "GET",
    "/groups/{id}/members",
    `/groups/${ID}/(members|transitiveMembers)(?:/(microsoft\\.graph\\.user|microsoft\\.graph\\.group))?(/\\$count)?`,
    r.groupMembers,
  ),
  route(
    "GET",
    "/directory/administrativeUnits",
    "/directory/administrativeUnits(?:/([^/]+)(/members)?)?",
    r.adminUnits,
  ),
  route(
    "GET",
    "/roleManagement/directory/roleAssignments",
    "/roleManagement/directory/roleAssignments(?:/([^/]+))?",
    r.roleAssignments,
  ),
  route("GET", "/organization", "/organization(?:/([^/]+))?", r.organization),
  route("POST", "/subscriptions", "/subscriptions", subs.createSubscription),
  route("GET", "/subscriptions", "/subscriptions", subs.listSubscriptions),
  route("GET", "/subscriptions/{id}", `/subscriptions/${ID}`, subs.getSubscription),
  route("PATCH", "/subscriptions/{id}", `/subscriptions/${ID}`, subs.updateSubscription),
  route("DELETE", "/subscriptions/{id}", `/subscriptions/${ID}`, subs.deleteSubscription),
  route(
    "POST",
    "/subscriptions/{id}/reauthorize",
    `/subscriptions/${ID}/reauthorize`,
    subs.reauthorizeSubscription,
  ),
];

/** Whether the simulator serves this Graph path (without the /v1.0 prefix) for the method. */
export function isServedPath(method: string, path: string): boolean {
  return ROUTES.some((rt) => rt.method === method.toUpperCase() && rt.re.test(path));
}

/** Graph v1.0 behind one entry point, so $batch parts take exactly the path single requests take. */
export class GraphService {
  constructor(
    private readonly dir: SimDirectory,
    private readonly stats: SimStats,
    private readonly throttler: Throttler | undefined,
  ) {}

  async handle(req: GraphRequest, root: string): Promise<GraphResponse> {
    const clientRequestId = req.headers["client-request-id"];
    const fail = (e: SimError, headers: Record<string, string> = {}) =>
      graphError(e.status, e.code, e.message, this.dir.now(), clientRequestId, headers);
    const url = new URL(req.url.startsWith("/") ? req.url : `/${req.url}`, "https://graph.invalid");
    const path = decodeURIComponent(url.pathname).replace(/\/+$/, "") || "/";
    const candidates = ROUTES.map((rt) => ({ rt, m: rt.re.exec(path) })).filter((x) => x.m);
    const found = candidates.find((x) => x.rt.method === req.method.toUpperCase());
    if (!found?.m) {
      this.stats.totalRequests++;
      if (candidates.length > 0)
        return fail(
          new SimError(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
          ),
        );
      const segment = path.split("/").filter(Boolean).pop() ?? "";
      return fail(new SimError(400, "BadRequest", `Resource not found for the segment '${segment}'.`));
    }
    const { rt, m } = found;
    this.stats.totalRequests++;
    this.stats.requests[rt.name] = (this.stats.requests[rt.name] ?? 0) + 1;

    const fault = this.dir.faults.take(req.method, `/v1.0${url.pathname}${url.search}`);
    if (fault) {
      this.stats.faultsInjected++;
      if (fault.status === 429) this.stats.throttled++;
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {};
      return fail(
        new SimError(fault.status, fault.code, fault.message ?? defaultMessage(fault.status)),
        headers,
      );
    }

    let caller: Caller;
    try {
      caller = await authenticate(this.dir, req.headers.authorization);
    } catch (e) {
      if (e instanceof SimError)
        return fail(e, {
          "www-authenticate":
            'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
        });
      throw e;
    }

    const cost = resourceUnits(req.method.toUpperCase(), path, url.searchParams);
    const throttleHeaders: Record<string, string> = { "x-ms-resource-unit": String(cost) };
    if (this.throttler) {
      const decision = this.throttler.take(caller.appId, caller.tenant, cost);
      if (!decision.allowed) {
        this.stats.throttled++;
        return tooManyRequests(this.dir.now(), decision.retryAfterSeconds, caller, clientRequestId);
      }
      if (decision.usage >= 0.8)
        throttleHeaders["x-ms-throttle-limit-percentage"] = decision.usage.toFixed(1);
    }
    this.stats.resourceUnits += cost;

    const ctx: RouteContext = { dir: this.dir, caller, req, path, params: url.searchParams, root, match: m };
    try {
      const res = await rt.handler(ctx);
      const requestId = crypto.randomUUID();
      return {
        ...res,
        headers: {
          ...res.headers,
          ...throttleHeaders,
          "request-id": requestId,
          "client-request-id": clientRequestId ?? requestId,
        },
      };
    } catch (e) {
      if (e instanceof SimError) return fail(e);
      throw e;
    }
  }
}

function defaultMessage(status: number): string {
  if (status === 429) return "Please retry again later.";
  if (status === 503) return "The service is currently unavailable.";
  if (status === 504) return "The gateway timed out.";
  return "Injected fault.";
}

function tooManyRequests(
  now: number,
  retryAfter: number,
  caller: Caller,
  clientRequestId?: string,
): GraphResponse {
  const res = graphError(429, "TooManyRequests", "Please retry again later.", now, clientRequestId, {
    "retry-after": String(retryAfter),
    "x-ms-throttle-scope": `Tenant_Application/ReadWrite/${caller.appId}/${caller.tenant.id}`,
    "x-ms-throttle-information": "ResourceUnitLimitExceeded",
  });
  const inner = (res.body as { error: { innerError: Record<string, unknown> } }).error.innerError;
  Object.assign(inner, { code: "429", message: "Please retry after", status: "429" });
  return res;
}
