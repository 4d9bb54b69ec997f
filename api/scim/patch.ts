import { type ScimPatchOperation, scimPatch } from "scim-patch";
import { canonicalPath } from "./attributes.ts";
import { PATCH_SCHEMA } from "./discovery.ts";
import { invalidValue, ScimError } from "./errors.ts";
import { isPrototypeKey } from "./prototype-keys.ts";
import { scimBoolean } from "./user-resource.ts";

type Json = Record<string, unknown>;
export interface PatchOp {
  op: "add" | "replace" | "remove";
  path?: string;
  value?: unknown;
}

/**
 * Brings both of Entra's PATCH dialects to RFC 7644's: the default one (capitalised `Replace`, booleans as
 * the strings "True"/"False", one operation per path) and the one the `aadOptscim062020` flag turns on
 * (lower-case ops, real booleans, a path-less `replace` whose value holds several attributes, dotted keys
 * such as `name.givenName` among them). Names of ops and attributes are case-insensitive.
 */
export function normalizePatch(body: unknown, kind: "User" | "Group"): PatchOp[] {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new ScimError(400, "The body must be a SCIM PatchOp object", "invalidSyntax");
  const entries = Object.entries(body as Json);
  const schemas = entries.find(([k]) => k.toLowerCase() === "schemas")?.[1];
  if (!Array.isArray(schemas) || !schemas.some((s) => String(s).toLowerCase() === PATCH_SCHEMA.toLowerCase()))
    throw invalidValue("schemas", `must contain ${PATCH_SCHEMA}`);
  const operations = entries.find(([k]) => k.toLowerCase() === "operations")?.[1];
  if (!Array.isArray(operations) || operations.length === 0)
    throw invalidValue("Operations", "must be a non-empty list of operations");
  return operations.flatMap((raw, i) => normalizeOp(raw, i, kind));
}

function normalizeOp(raw: unknown, index: number, kind: "User" | "Group"): PatchOp[] {
  if (raw === null || typeof raw !== "object")
    throw invalidValue(`Operations[${index}]`, "must be an object");
  const fields = Object.fromEntries(Object.entries(raw as Json).map(([k, v]) => [k.toLowerCase(), v]));
  const op = String(fields.op ?? "").toLowerCase();
  if (op !== "add" && op !== "replace" && op !== "remove")
    throw new ScimError(
      400,
      `Operations[${index}].op: must be add, replace or remove, not ${JSON.stringify(fields.op)}`,
      "invalidSyntax",
    );
  const path =
    typeof fields.path === "string" && fields.path.trim()
      ? canonicalPath(fields.path.trim(), kind)
      : undefined;
  if (!path) {
    if (op === "remove") throw new ScimError(400, `Operations[${index}]: remove needs a path`, "noTarget");
    const value = fields.value;
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw invalidValue(
        `Operations[${index}].value`,
        "must be an object of attributes when there is no path",
      );
    // One operation per attribute, so dotted keys and booleans are handled as if each had its own path.
    return Object.entries(value as Json).map(([key, v]) =>
      typed(guarded({ op, path: canonicalPath(key, kind), value: v }, index)),
    );
  }
  return [typed(guarded({ op, path, ...("value" in fields ? { value: fields.value } : {}) }, index))];
}

/** scim-patch walks paths by plain property access, so `__proto__.x` would write to Object.prototype. */
function guarded(op: PatchOp, index: number): PatchOp {
  const segments = (op.path ?? "").replace(/\[[^\]]*\]/g, "").split(/[.:]/);
  if (segments.some(isPrototypeKey))
    throw new ScimError(
      400,
      `Operations[${index}].path: ${JSON.stringify(op.path)} is not an attribute`,
      "invalidPath",
    );
  return op;
}

function typed(op: PatchOp): PatchOp {
  if (op.path === "active" && op.value !== undefined)
    return { ...op, value: scimBoolean(op.value, "active") };
  return op;
}

/** Applies operations to a resource with `scim-patch`; its refusals become SCIM errors that name the path. */
export function applyPatch(resource: Json, ops: PatchOp[]): Json {
  const withMeta = {
    ...resource,
    meta: { created: new Date(0), lastModified: new Date(0) },
    schemas: resource.schemas ?? [],
  };
  try {
    const patched = scimPatch(withMeta as never, ops as ScimPatchOperation[], {
      mutateDocument: false,
      treatMissingAsAdd: true,
    }) as unknown as Json;
    const { meta: _meta, ...rest } = patched;
    return rest;
  } catch (err) {
    const path = ops.map((o) => o.path ?? "(no path)").join(", ");
    throw new ScimError(400, `${path}: ${(err as Error).message}`, "invalidPath");
  }
}

export interface MemberChange {
  /** Replace every member with `add` (a replace of `members`). */
  replace: boolean;
  add: { value: string; display?: string }[];
  remove: string[];
  removeAll: boolean;
}

const MEMBER_FILTER = /^members\[\s*value\s+eq\s+"([^"]*)"\s*\]$/i;

/**
 * A group's member operations, taken apart from its other operations: members live as edges, not inside
 * the group, so they are never patched as an array.
 */
export function splitMemberOps(ops: PatchOp[]): { members: MemberChange; other: PatchOp[] } {
  const members: MemberChange = { replace: false, add: [], remove: [], removeAll: false };
  const other: PatchOp[] = [];
  for (const op of ops) {
    const path = op.path ?? "";
    const filtered = MEMBER_FILTER.exec(path);
    if (filtered && op.op === "remove") {
      members.remove.push(filtered[1] as string);
      continue;
    }
    if (path.toLowerCase() !== "members") {
      other.push(op);
      continue;
    }
    const values = memberValues(op.value);
    if (op.op === "remove") {
      if (values.length === 0) members.removeAll = true;
      else members.remove.push(...values.map((v) => v.value));
    } else {
      if (op.op === "replace") {
        members.replace = true;
        members.add = [];
        members.remove = [];
      }
      members.add.push(...values);
    }
  }
  return { members, other };
}

/** Members as sent: objects with `value` (and maybe `display`), or bare id strings. */
export function memberValues(value: unknown): { value: string; display?: string }[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((m, i) => {
    if (typeof m === "string") return { value: m };
    if (m && typeof m === "object") {
      const fields = Object.fromEntries(Object.entries(m as Json).map(([k, v]) => [k.toLowerCase(), v]));
      if (typeof fields.value === "string" && fields.value) {
        const display = fields.display ?? fields.displayname;
        return { value: fields.value, ...(typeof display === "string" ? { display } : {}) };
      }
    }
    throw invalidValue(`members[${i}].value`, "must be the id of a user");
  });
}
