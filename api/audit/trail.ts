import { createHash, randomUUID } from "node:crypto";
import stableStringify from "fast-json-stable-stringify";
import type { Actor } from "../domain/actor.ts";
import type { AuditDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

/** Fields whose values never reach the audit trail; the entry only says that they changed. */
const SECRET_FIELDS = new Set([
  "secret",
  "scimTokens",
  "clientSecret",
  "refreshToken",
  "verifier",
  "pendingConsent",
  "_etag",
  "_rid",
  "_self",
  "_ts",
  "_attachments",
]);
/** Bookkeeping that changes on every write and says nothing to a reader of the trail. */
const NOISE_FIELDS = new Set(["updatedAt", "updatedBy", "lastTest", "adminCheck"]);

export type Changes = AuditDoc["changes"];

/** Lists and texts above these sizes are audited as a count and a hash, never copied (see `compact`). */
const LARGE_ARRAY = 100;
const LARGE_TEXT = 2_000;

/**
 * A value fit for the audit trail: arrays of more than 100 items and long texts, at any depth, become
 * `{ summary, count, sha256 }`. A 10,000-address whitelist copied into every entry (old and new) would make
 * the trail heavy to read and list, and could pass Cosmos DB's item limit; the hash still tells whether two
 * entries name the same list.
 */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length > LARGE_ARRAY) return summaryOf(value, `${value.length} items`, value.length);
    return value.map(compact);
  }
  if (typeof value === "string" && value.length > LARGE_TEXT)
    return summaryOf(value, `${value.length} characters`, value.length);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  return value;
}

function summaryOf(value: unknown, summary: string, count: number) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return { summary, count, sha256: createHash("sha256").update(text).digest("hex") };
}

/** Field-level differences between two versions of a document, with secrets redacted. */
export function diff(before: object | undefined, after: object | undefined): Changes {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = (after ?? {}) as Record<string, unknown>;
  const plain: Changes = {};
  const redacted: Changes = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    // Store bookkeeping (`_etag`, `_ts`) changes on every write and is nobody's setting.
    if (NOISE_FIELDS.has(key) || key.startsWith("_")) continue;
    if (stableStringify(a[key] ?? null) === stableStringify(b[key] ?? null)) continue;
    if (SECRET_FIELDS.has(key))
      redacted[key] = {
        from: a[key] === undefined ? null : "[redacted]",
        to: b[key] === undefined ? null : "[redacted]",
      };
    else plain[key] = { from: a[key] ?? null, to: b[key] ?? null };
  }
  // Large values (long lists, long texts) are summarised per property, after the settings are split into rows.
  const rows = Object.entries(readableChanges(plain)).map(
    ([path, change]) => [path, { from: compact(change.from), to: compact(change.to) }] as const,
  );
  return { ...Object.fromEntries(rows), ...redacted };
}

export async function writeAudit(
  store: Store,
  entry: { tenantId: string; actor: Actor; action: string; target: AuditDoc["target"]; changes: Changes },
  now: () => number = Date.now,
): Promise<void> {
  await store.audit.create({
    id: randomUUID(),
    type: "audit",
    tenantId: entry.tenantId,
    actor: {
      oid: entry.actor.oid,
      name: entry.actor.name,
      ...(entry.actor.upn ? { upn: entry.actor.upn } : {}),
    },
    action: entry.action,
    target: entry.target,
    changes: entry.changes,
    at: new Date(now()).toISOString(),
  });
}

/** What every document has from its creation on: the entry's target and time already say it. */
const IDENTITY_FIELDS = new Set(["id", "tenantId", "type", "createdAt", "createdBy"]);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Changes as a reader of the trail needs them, the way Entra's audit log shows modified properties: one row
 * per changed property with its old and new value (`settings.deletionGuard.maxCount: 50 → 3`), never a whole
 * settings object, and no store bookkeeping (`_etag`, `_ts`). Entries written before changes were recorded
 * per property are read the same way.
 */
export function readableChanges(changes: Changes): Changes {
  const out: Changes = {};
  const walk = (path: string, from: unknown, to: unknown) => {
    if (path.split(".").some((segment) => segment.startsWith("_"))) return;
    if (isPlainObject(from) && isPlainObject(to)) {
      for (const key of new Set([...Object.keys(from), ...Object.keys(to)]))
        walk(`${path}.${key}`, from[key], to[key]);
      return;
    }
    // A redacted secret shows only that it changed, so its two sides look alike.
    const hidden = from === "[redacted]" && to === "[redacted]";
    if (!hidden && stableStringify(from ?? null) === stableStringify(to ?? null)) return;
    out[path] = { from: from ?? null, to: to ?? null };
  };
  for (const [key, change] of Object.entries(changes))
    if (!IDENTITY_FIELDS.has(key)) walk(key, change.from, change.to);
  return out;
}
