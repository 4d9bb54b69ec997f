import { SimError } from "../errors.ts";
import { analyse, evaluate, type FilterNode, parseFilter } from "./filter.ts";
import { readPath } from "./serialize.ts";

export type EntityType = "user" | "group";

/**
 * Filterable properties. `basic` work on any request; `advanced` only with ConsistencyLevel: eventual and
 * $count=true (Graph's "advanced query" mode). Anything else is Request_UnsupportedQuery.
 */
const FILTERABLE: Record<EntityType, { basic: string[]; advanced: string[] }> = {
  user: {
    basic: [
      "id",
      "displayName",
      "givenName",
      "surname",
      "mail",
      "userPrincipalName",
      "jobTitle",
      "userType",
      "accountEnabled",
      "proxyAddresses",
      "otherMails",
      "mailNickname",
      "creationType",
      "employeeId",
      "city",
      "country",
      "state",
      "usageLocation",
      "preferredLanguage",
      "onPremisesSyncEnabled",
      "imAddresses",
      "identities",
    ],
    advanced: [
      "companyName",
      "department",
      "officeLocation",
      "employeeType",
      "createdDateTime",
      "postalCode",
      "streetAddress",
      "mobilePhone",
      "businessPhones",
      "faxNumber",
      "onPremisesExtensionAttributes",
    ],
  },
  group: {
    basic: [
      "id",
      "displayName",
      "description",
      "mail",
      "mailEnabled",
      "securityEnabled",
      "groupTypes",
      "mailNickname",
      "proxyAddresses",
      "membershipRule",
      "isAssignableToRole",
    ],
    advanced: ["createdDateTime", "visibility", "classification"],
  },
};

const ORDERABLE = new Set(["displayName", "userPrincipalName", "createdDateTime", "mail"]);

export interface ListQuery {
  select?: string[];
  top?: number;
  filter?: FilterNode;
  count: boolean;
  orderby?: { prop: string; desc: boolean };
  search?: { prop: string; term: string }[];
  expand: boolean;
  skiptoken?: string;
  eventual: boolean;
}

const ADVANCED_HINT =
  "Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information";

export function parseListQuery(
  params: URLSearchParams,
  headers: Record<string, string>,
  type: EntityType | null,
): ListQuery {
  const eventual = (headers.consistencylevel ?? "").toLowerCase() === "eventual";
  const q: ListQuery = { count: false, expand: params.has("$expand"), eventual };
  const select = params.get("$select");
  if (select)
    q.select = select
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const top = params.get("$top");
  if (top !== null) {
    const n = Number(top);
    if (!Number.isInteger(n) || n < 1 || n > 999) {
      throw new SimError(
        400,
        "Request_BadRequest",
        `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`,
      );
    }
    q.top = n;
  }
  const count = params.get("$count");
  if (count !== null) {
    q.count = count.toLowerCase() === "true";
    if (q.count && !eventual)
      throw new SimError(400, "Request_BadRequest", "$count is not currently supported.");
  }
  const advancedOk = eventual && q.count;
  const search = params.get("$search");
  if (search !== null) {
    if (!eventual) {
      throw new SimError(
        400,
        "Request_UnsupportedQuery",
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
      );
    }
    q.search = parseSearch(search);
  }
  const filter = params.get("$filter");
  if (filter) {
    q.filter = parseFilter(filter);
    if (type) {
      const { props, advanced } = analyse(q.filter);
      const allowed = FILTERABLE[type];
      for (const p of props) {
        const root = p.split("/")[0] as string;
        const isExt = /^extension_/i.test(root);
        if (allowed.basic.includes(root)) continue;
        if (allowed.advanced.includes(root) || isExt) {
          if (!advancedOk) advanced.push(`property '${root}'`);
          continue;
        }
        throw new SimError(
          400,
          "Request_UnsupportedQuery",
          `Unsupported or invalid query filter clause specified for property '${root}' of resource '${type === "user" ? "User" : "Group"}'.`,
        );
      }
      if (advanced.length > 0 && !advancedOk) {
        throw new SimError(
          400,
          "Request_UnsupportedQuery",
          `Operator '${advanced[0]}' is not supported because the required parameters might be missing. ${ADVANCED_HINT}`,
        );
      }
    }
  }
  const orderby = params.get("$orderby");
  if (orderby) {
    const [prop, dir] = orderby.trim().split(/\s+/) as [string, string | undefined];
    if (!ORDERABLE.has(prop))
      throw new SimError(400, "Request_UnsupportedQuery", `Order by '${prop}' not supported.`);
    if ((q.filter || q.search) && !advancedOk)
      throw new SimError(400, "Request_UnsupportedQuery", "Sorting not supported for current query.");
    q.orderby = { prop, desc: dir?.toLowerCase() === "desc" };
  }
  const skiptoken = params.get("$skiptoken");
  if (skiptoken) q.skiptoken = skiptoken;
  return q;
}

function parseSearch(raw: string): { prop: string; term: string }[] {
  const clauses = raw.split(/\s+(?:AND|OR)\s+/);
  return clauses.map((c) => {
    const m = /^"([A-Za-z]+):([^"]*)"$/.exec(c.trim());
    if (!m)
      throw new SimError(
        400,
        "Request_UnsupportedQuery",
        'Syntax error: the $search value must be of the form "property:value".',
      );
    return { prop: m[1] as string, term: (m[2] as string).toLowerCase() };
  });
}

const TOKEN_BREAK = /[\s._@-]+/;

export type Read<T> = (item: T, path: string) => unknown;

/** Filter, search and sort a collection, reading properties through `read` (no documents are built). */
export function applyQuery<T>(items: T[], q: ListQuery, read: Read<T> = readPath as Read<T>): T[] {
  let out = items;
  const filter = q.filter;
  if (filter) out = out.filter((d) => evaluate(filter, d, read as (o: unknown, p: string) => unknown));
  const search = q.search;
  if (search) {
    out = out.filter((d) =>
      search.some(({ prop, term }) => {
        const v = read(d, prop);
        if (typeof v !== "string") return false;
        // Graph tokenizes the term as it tokenizes the value: "Sales Te" finds "Sales Team".
        const words = v.toLowerCase().split(TOKEN_BREAK);
        const tokens = term.split(TOKEN_BREAK).filter(Boolean);
        return tokens.every((t) => words.some((w) => w.startsWith(t)));
      }),
    );
  }
  const orderby = q.orderby;
  if (orderby) {
    const sign = orderby.desc ? -1 : 1;
    out = [...out].sort(
      (a, b) => sign * String(read(a, orderby.prop) ?? "").localeCompare(String(read(b, orderby.prop) ?? "")),
    );
  }
  return out;
}
