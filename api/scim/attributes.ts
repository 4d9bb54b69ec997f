import { SCIM_CUSTOM_SCHEMA } from "../contract/scim.ts";
import { ENTERPRISE_SCHEMA } from "./discovery.ts";

/**
 * Attribute names are case-insensitive (RFC 7643 §2.1): Entra sends `Operations`, tests send `Primary`,
 * `DisplayName`. Every name the endpoint knows is brought to its canonical spelling once, on the way in, so
 * the rest of the code reads one spelling. Names it does not know are dropped and reported.
 */
const USER_ATTRIBUTES = [
  "schemas",
  "id",
  "externalId",
  "userName",
  "displayName",
  "nickName",
  "name",
  "title",
  "userType",
  "preferredLanguage",
  "locale",
  "timezone",
  "active",
  "emails",
  "phoneNumbers",
  "addresses",
  "meta",
  "password",
];
const GROUP_ATTRIBUTES = ["schemas", "id", "externalId", "displayName", "members", "meta"];
const SUB_ATTRIBUTES = [
  "formatted",
  "familyName",
  "givenName",
  "middleName",
  "honorificPrefix",
  "honorificSuffix",
  "value",
  "display",
  "type",
  "primary",
  "streetAddress",
  "locality",
  "region",
  "postalCode",
  "country",
  "employeeNumber",
  "department",
  "organization",
  "division",
  "costCenter",
  "manager",
  "$ref",
];
const EXTENSIONS = [ENTERPRISE_SCHEMA, SCIM_CUSTOM_SCHEMA];

const canonical = (names: string[]) => new Map(names.map((n) => [n.toLowerCase(), n]));
const USER = canonical([...USER_ATTRIBUTES, ...EXTENSIONS]);
const GROUP = canonical(GROUP_ATTRIBUTES);
const SUB = canonical(SUB_ATTRIBUTES);

export interface Canonical {
  resource: Record<string, unknown>;
  /** Top-level attributes the endpoint does not know, ignored. */
  ignored: string[];
}

export function canonicalUser(body: Record<string, unknown>): Canonical {
  return canonicalize(body, USER);
}

export function canonicalGroup(body: Record<string, unknown>): Canonical {
  return canonicalize(body, GROUP);
}

function canonicalize(body: Record<string, unknown>, known: Map<string, string>): Canonical {
  const resource: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    const name = known.get(key.toLowerCase());
    if (!name) {
      ignored.push(key);
      continue;
    }
    // The custom schema's keys are the customer's attribute names: kept as sent.
    resource[name] = name === SCIM_CUSTOM_SCHEMA ? value : subAttributes(value);
  }
  return { resource, ignored };
}

function subAttributes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(subAttributes);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [SUB.get(k.toLowerCase()) ?? k, subAttributes(v)]),
  );
}

/** The canonical spelling of a PATCH path's first segment (and of a URN-qualified attribute's name). */
export function canonicalPath(path: string, kind: "User" | "Group"): string {
  const known = kind === "User" ? USER : GROUP;
  for (const urn of EXTENSIONS)
    if (path.toLowerCase().startsWith(`${urn.toLowerCase()}:`)) {
      const rest = path.slice(urn.length + 1);
      return `${urn}:${urn === SCIM_CUSTOM_SCHEMA ? rest : canonicalSegments(rest)}`;
    }
  const [head = path, ...tail] = splitHead(path);
  const name = known.get(head.toLowerCase()) ?? head;
  return name + canonicalSegments(tail.join(""), true);
}

/** `emails[type eq "work"].value` -> ["emails", "[type eq \"work\"].value"]. */
function splitHead(path: string): string[] {
  const m = /^([^.[]+)(.*)$/.exec(path);
  return m ? [m[1] as string, m[2] as string] : [path];
}

function canonicalSegments(rest: string, keepFilter = false): string {
  if (!rest) return "";
  if (keepFilter) {
    const filter = /^(\[[^\]]*\])?(.*)$/.exec(rest) as RegExpExecArray;
    const after = (filter[2] ?? "").replace(/^\./, "");
    return (filter[1] ?? "") + (after ? `.${canonicalSegments(after)}` : "");
  }
  return rest
    .split(".")
    .map((s) => SUB.get(s.toLowerCase()) ?? s)
    .join(".");
}
