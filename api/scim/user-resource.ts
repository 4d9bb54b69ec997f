import { SCIM_CUSTOM_SCHEMA } from "../contract/scim.ts";
import type { FieldValue } from "../domain/records.ts";
import type { GraphUser } from "../sync/graph-types.ts";
import { canonicalUser } from "./attributes.ts";
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from "./discovery.ts";
import { invalidValue, ScimError } from "./errors.ts";

type Json = Record<string, unknown>;
type Multi = { value?: unknown; type?: unknown; primary?: unknown }[];

/** A SCIM User as the endpoint keeps it: canonical names, `active` a boolean, unknown attributes gone. */
export interface UserInput {
  resource: Json;
  userName: string;
  externalId?: string;
  active: boolean;
  /** Top-level attributes the endpoint ignored, for the task record. */
  ignored: string[];
}

/** Entra's default dialect sends booleans as the strings "True" and "False". */
export function scimBoolean(value: unknown, attribute: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw invalidValue(attribute, `must be true or false, not ${JSON.stringify(value)}`);
}

const optionalString = (r: Json, attribute: string) => {
  const v = r[attribute];
  if (v !== undefined && v !== null && typeof v !== "string")
    throw invalidValue(attribute, `must be a string, not ${JSON.stringify(v)}`);
};

function checkMulti(r: Json, attribute: string) {
  const v = r[attribute];
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || v.some((e) => e === null || typeof e !== "object"))
    throw invalidValue(attribute, "must be a list of objects");
}

/**
 * userName becomes the profile's UPN, which Entra caps at 113 characters; the margin keeps odd but valid
 * sign-in names working while refusing the kilobytes a broken client could send into every index and page.
 */
const USER_NAME_MAX = 256;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Validates a User body (POST, PUT, or the result of a PATCH), naming the attribute at fault. */
export function parseUser(body: unknown): UserInput {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new ScimError(400, "The body must be a SCIM User object", "invalidSyntax");
  const { resource, ignored } = canonicalUser(body as Json);
  const userName = resource.userName;
  if (typeof userName !== "string" || userName.trim() === "")
    throw invalidValue("userName", "is required and must be a non-empty string");
  if (userName.length > USER_NAME_MAX)
    throw invalidValue("userName", `must be at most ${USER_NAME_MAX} characters`);
  if (CONTROL_CHARACTER.test(userName)) throw invalidValue("userName", "must not contain control characters");
  for (const a of ["externalId", "displayName", "title", "userType", "preferredLanguage"])
    optionalString(resource, a);
  for (const a of ["emails", "phoneNumbers", "addresses"]) checkMulti(resource, a);
  const name = resource.name;
  if (name !== undefined && name !== null && (typeof name !== "object" || Array.isArray(name)))
    throw invalidValue("name", "must be an object");
  for (const urn of [ENTERPRISE_SCHEMA, SCIM_CUSTOM_SCHEMA]) {
    const ext = resource[urn];
    if (ext !== undefined && (ext === null || typeof ext !== "object" || Array.isArray(ext)))
      throw invalidValue(urn, "must be an object");
  }
  const active =
    resource.active === undefined || resource.active === null ? true : scimBoolean(resource.active, "active");
  resource.active = active;
  delete resource.password;
  delete resource.meta;
  delete resource.id;
  const schemas = new Set([USER_SCHEMA, ...((resource.schemas as string[] | undefined) ?? [])]);
  if (resource[ENTERPRISE_SCHEMA]) schemas.add(ENTERPRISE_SCHEMA);
  if (resource[SCIM_CUSTOM_SCHEMA]) schemas.add(SCIM_CUSTOM_SCHEMA);
  resource.schemas = [...schemas].filter((s) => typeof s === "string");
  return {
    resource,
    userName: userName.trim(),
    ...(typeof resource.externalId === "string" && resource.externalId
      ? { externalId: resource.externalId }
      : {}),
    active,
    ignored,
  };
}

/** The preferred entry of a multi-valued attribute: primary, then the given type, then the first. */
function pick(list: unknown, type?: string): Json | undefined {
  if (!Array.isArray(list)) return undefined;
  const items = list as Multi;
  return (items.find((e) => e.primary === true || e.primary === "True" || e.primary === "true") ??
    (type ? items.find((e) => String(e.type ?? "").toLowerCase() === type) : undefined) ??
    items[0]) as Json | undefined;
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);

/**
 * The person as Graph would describe them, so the connection's mapping, required fields and email rules
 * (api/sync/mapping.ts) apply to pushed people exactly as to pulled ones.
 */
export function asGraphUser(input: UserInput, sourceId: string): GraphUser {
  const r = input.resource;
  const name = (r.name ?? {}) as Json;
  const ent = (r[ENTERPRISE_SCHEMA] ?? {}) as Json;
  const emails = Array.isArray(r.emails) ? (r.emails as Multi) : [];
  const email = pick(r.emails, "work");
  const phones = Array.isArray(r.phoneNumbers) ? (r.phoneNumbers as Multi) : [];
  const mobile = phones.find((p) => String(p.type ?? "").toLowerCase() === "mobile");
  const work = phones.filter((p) => String(p.type ?? "").toLowerCase() !== "mobile");
  const address = pick(r.addresses, "work") ?? {};
  const manager = ent.manager;
  return {
    id: sourceId,
    userPrincipalName: input.userName,
    displayName: str(r.displayName) ?? (str(name.formatted) as string | null),
    givenName: str(name.givenName),
    surname: str(name.familyName),
    mail: str(email?.value),
    otherMails: emails.map((e) => str(e.value)).filter((e): e is string => e !== null),
    accountEnabled: input.active,
    userType: str(r.userType),
    jobTitle: str(r.title),
    preferredLanguage: str(r.preferredLanguage),
    mobilePhone: str(mobile?.value),
    businessPhones: work.map((p) => str(p.value)).filter((p): p is string => p !== null),
    streetAddress: str(address.streetAddress),
    city: str(address.locality),
    state: str(address.region),
    postalCode: str(address.postalCode),
    country: str(address.country),
    employeeId: str(ent.employeeNumber),
    department: str(ent.department),
    companyName: str(ent.organization),
    manager: typeof manager === "object" && manager ? str((manager as Json).value) : str(manager),
  } as GraphUser;
}

/** Values sent under the custom schema: those of defined attributes, and the names of the others. */
export function customAttributes(
  input: UserInput,
  defined: ReadonlySet<string>,
): { values: Record<string, FieldValue>; unknown: string[] } {
  const sent = (input.resource[SCIM_CUSTOM_SCHEMA] ?? {}) as Json;
  const values: Record<string, FieldValue> = {};
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(sent)) {
    if (!defined.has(name)) {
      unknown.push(name);
      continue;
    }
    values[name] =
      value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? value
        : Array.isArray(value)
          ? value.map(String)
          : JSON.stringify(value);
  }
  return { values, unknown };
}
