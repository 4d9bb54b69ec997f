import type { ListDoc, MembershipDoc, ProfileDoc, ScimShadow } from "../store/documents.ts";
import { GROUP_SCHEMA, listOf, MAX_RESULTS } from "./discovery.ts";
import { invalidValue } from "./errors.ts";

type Json = Record<string, unknown>;

const etagOf = (shadow: ScimShadow) => `W/"${shadow.version}"`;

const meta = (shadow: ScimShadow, resourceType: "User" | "Group", base: string) => ({
  resourceType,
  created: shadow.createdAt,
  lastModified: shadow.updatedAt,
  location: `${base}/${resourceType}s/${shadow.id}`,
  version: etagOf(shadow),
});

export function renderUser(doc: ProfileDoc, base: string): Json {
  const shadow = doc.scim as ScimShadow;
  return { ...shadow.resource, id: shadow.id, meta: meta(shadow, "User", base) };
}

export function renderGroup(doc: ListDoc, members: MembershipDoc[] | undefined, base: string): Json {
  const shadow = doc.scim as ScimShadow;
  const { members: _kept, ...resource } = shadow.resource;
  return {
    ...resource,
    schemas: [GROUP_SCHEMA],
    id: shadow.id,
    displayName: doc.name,
    ...(members
      ? {
          members: members.map((m) => ({
            value: m.memberSourceId,
            ...(m.display ? { display: m.display } : {}),
            $ref: `${base}/Users/${m.memberSourceId}`,
          })),
        }
      : {}),
    meta: meta(shadow, "Group", base),
  };
}

/** `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5), by top-level name; id and schemas always stay. */
export interface Projection {
  attributes?: Set<string>;
  excluded: Set<string>;
}

const topName = (a: string) => {
  const lower = a.trim().toLowerCase();
  if (lower.startsWith("urn:")) {
    const i = lower.lastIndexOf(":");
    return lower.slice(0, i);
  }
  return lower.split(/[.[]/)[0] as string;
};

const names = (raw: unknown) =>
  typeof raw === "string" && raw.trim()
    ? new Set(
        raw
          .split(/,(?![^[]*\])/)
          .map(topName)
          .filter(Boolean),
      )
    : undefined;

export function projectionOf(query: Json): Projection {
  const attributes = names(query.attributes);
  return { ...(attributes ? { attributes } : {}), excluded: names(query.excludedAttributes) ?? new Set() };
}

export const wants = (p: Projection, name: string) => {
  const n = name.toLowerCase();
  return !p.excluded.has(n) && (!p.attributes || p.attributes.has(n));
};

export function project(resource: Json, p: Projection): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(resource)) {
    const n = k.toLowerCase();
    const extension = k.startsWith("urn:") && p.attributes && [...p.attributes].some((a) => a === n);
    if (
      n === "id" ||
      n === "schemas" ||
      (p.attributes ? p.attributes.has(n) || extension : !p.excluded.has(n))
    )
      if (!p.excluded.has(n) || n === "id") out[k] = v;
  }
  return out;
}

/** startIndex is 1-based (RFC 7644 §3.4.2.4); a count above the maximum is cut to it. */
function pageOf(query: Json): { startIndex: number; count: number } {
  const startIndex = query.startIndex === undefined ? 1 : Number(query.startIndex);
  const count = query.count === undefined ? MAX_RESULTS : Number(query.count);
  if (!Number.isInteger(startIndex)) throw invalidValue("startIndex", "must be a whole number");
  if (!Number.isInteger(count)) throw invalidValue("count", "must be a whole number");
  return { startIndex: Math.max(1, startIndex), count: Math.min(Math.max(0, count), MAX_RESULTS) };
}

export function listResponse(all: Json[], query: Json, p: Projection) {
  const { startIndex, count } = pageOf(query);
  const page = all.slice(startIndex - 1, startIndex - 1 + count).map((r) => project(r, p));
  return listOf(page, all.length, startIndex);
}
