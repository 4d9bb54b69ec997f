import type { PlannedGroup, PlannedUser, ScimDirectoryPlan } from "./scim-directory.ts";

/**
 * A load generator shaped like the Entra provisioning service's first cycle against a non-gallery app:
 * for each user a `GET /Users?filter=userName eq "…"` (Entra's matching query) then `POST /Users`, later a
 * `PATCH` in Entra's default dialect (capitalised ops, one path per op); for each group a
 * `GET /Groups?filter=displayName eq "…"&excludedAttributes=members`, a `POST /Groups` with its first members,
 * then `PATCH` `Add` of the rest. Entra publishes no client concurrency figure and does not rate-limit
 * non-gallery apps; it asks an endpoint to sustain 25 requests per second per tenant, retries what fails and
 * honours 429 + Retry-After. So: `concurrency` objects in flight, each object's requests in order, and a
 * 429 or 5xx retried after Retry-After (or a second).
 */

export type ScimRequestKind =
  | "GET user filter"
  | "POST user"
  | "PATCH user"
  | "GET group filter"
  | "POST group"
  | "PATCH group members";

export interface ScimLoadOptions {
  tenantUrl: string;
  token: string;
  concurrency: number;
  /** Members per POST /Groups and per PATCH that adds members. */
  memberBatch: number;
  fetch?: typeof fetch;
  progress?: (line: string) => void;
}

export interface ScimLoadResult {
  requests: number;
  wallMs: number;
  latencies: Record<ScimRequestKind, number[]>;
  /** 429 answers (each retried after Retry-After). */
  throttled: number;
  /** 5xx answers and network errors (each retried). */
  retried: number;
  /** SCIM id the endpoint gave each planned user, by index. */
  userIds: string[];
  groupIds: string[];
}

const SCIM_JSON = "application/scim+json";
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const MAX_ATTEMPTS = 8;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` for every item with at most `concurrency` in flight. */
async function pool<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

const userBody = (u: PlannedUser) => ({
  schemas: [USER_SCHEMA, ENTERPRISE],
  externalId: u.externalId,
  userName: u.userName,
  active: true,
  displayName: `${u.givenName} ${u.familyName}`,
  emails: [{ primary: true, type: "work", value: u.email }],
  meta: { resourceType: "User" },
  name: { formatted: `${u.givenName} ${u.familyName}`, familyName: u.familyName, givenName: u.givenName },
  [ENTERPRISE]: { department: u.department, employeeNumber: u.employeeNumber },
});

const groupBody = (g: PlannedGroup, memberIds: string[]) => ({
  schemas: [GROUP_SCHEMA],
  externalId: g.externalId,
  displayName: g.displayName,
  meta: { resourceType: "Group" },
  members: memberIds.map((value) => ({ value })),
});

export async function runScimLoad(
  plan: ScimDirectoryPlan,
  options: ScimLoadOptions,
): Promise<ScimLoadResult> {
  const doFetch = options.fetch ?? fetch;
  const base = options.tenantUrl.replace(/\/+$/, "");
  const latencies: ScimLoadResult["latencies"] = {
    "GET user filter": [],
    "POST user": [],
    "PATCH user": [],
    "GET group filter": [],
    "POST group": [],
    "PATCH group members": [],
  };
  let requests = 0;
  let throttled = 0;
  let retried = 0;

  /** One SCIM request as Entra sends it, retried as Entra retries; answers the parsed body. */
  const send = async (
    kind: ScimRequestKind,
    method: string,
    path: string,
    expected: number[],
    body?: unknown,
  ): Promise<Record<string, unknown>> => {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let status = 0;
      let text = "";
      let retryAfter: string | null = null;
      try {
        const res = await doFetch(`${base}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${options.token}`,
            Accept: SCIM_JSON,
            ...(body === undefined ? {} : { "Content-Type": SCIM_JSON }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        status = res.status;
        retryAfter = res.headers.get("retry-after");
        text = await res.text();
      } catch (err) {
        text = (err as Error).message;
      }
      requests++;
      latencies[kind].push(performance.now() - started);
      if (expected.includes(status)) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
      const again = status === 429 || status === 0 || status >= 500;
      if (!again || attempt >= MAX_ATTEMPTS)
        throw new Error(`${method} ${path}: ${status || "network error"} ${text.slice(0, 300)}`);
      if (status === 429) throttled++;
      else retried++;
      const seconds = Number(retryAfter);
      await sleep(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000);
    }
  };

  const eq = (attribute: string, value: string) =>
    encodeURIComponent(`${attribute} eq "${value.replace(/(["\\])/g, "\\$1")}"`);

  const started = performance.now();
  const userIds: string[] = new Array(plan.users.length);
  const groupIds: string[] = new Array(plan.groups.length);
  let done = 0;
  const tick = (what: string, total: number) => {
    done++;
    if (done % 1000 === 0 || done === total) options.progress?.(`${what}: ${done}/${total}`);
  };

  await pool(plan.users, options.concurrency, async (u, i) => {
    const found = await send("GET user filter", "GET", `/Users?filter=${eq("userName", u.userName)}`, [200]);
    const existing = (found.Resources as { id: string }[] | undefined)?.[0];
    // A replayed cycle finds the user and sends nothing new, as Entra matches before it creates.
    userIds[i] =
      existing?.id ?? ((await send("POST user", "POST", "/Users", [201], userBody(u))).id as string);
    tick("users created", plan.users.length);
  });

  done = 0;
  await pool(plan.users, options.concurrency, async (u, i) => {
    await send("PATCH user", "PATCH", `/Users/${userIds[i]}`, [200, 204], {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "title", value: `${u.department} specialist` }],
    });
    tick("users updated", plan.users.length);
  });

  done = 0;
  await pool(plan.groups, options.concurrency, async (g, i) => {
    const ids = g.members.map((m) => userIds[m] as string);
    const found = await send(
      "GET group filter",
      "GET",
      `/Groups?filter=${eq("displayName", g.displayName)}&excludedAttributes=members`,
      [200],
    );
    const existing = (found.Resources as { id: string }[] | undefined)?.[0];
    const first = existing ? [] : ids.slice(0, options.memberBatch);
    const id =
      existing?.id ??
      ((await send("POST group", "POST", "/Groups", [201], groupBody(g, first))).id as string);
    groupIds[i] = id;
    for (let at = first.length; at < ids.length; at += options.memberBatch)
      await send("PATCH group members", "PATCH", `/Groups/${id}`, [200, 204], {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: "Add",
            path: "members",
            value: ids.slice(at, at + options.memberBatch).map((value) => ({ value })),
          },
        ],
      });
    tick("groups", plan.groups.length);
  });

  return {
    requests,
    wallMs: performance.now() - started,
    latencies,
    throttled,
    retried,
    userIds,
    groupIds,
  };
}
