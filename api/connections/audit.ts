import { randomUUID } from "node:crypto";
import stableStringify from "fast-json-stable-stringify";
import type { Actor, AuditDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

export const SYSTEM_ACTOR: Actor = { oid: "system", name: "Directory Sync" };

/** Fields whose values never reach the audit trail; the entry only says that they changed. */
const SECRET_FIELDS = new Set([
  "secret",
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

/** Field-level differences between two versions of a document, with secrets redacted. */
export function diff(before: object | undefined, after: object | undefined): Changes {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = (after ?? {}) as Record<string, unknown>;
  const changes: Changes = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (NOISE_FIELDS.has(key)) continue;
    if (stableStringify(a[key] ?? null) === stableStringify(b[key] ?? null)) continue;
    changes[key] = SECRET_FIELDS.has(key)
      ? { from: a[key] === undefined ? null : "[redacted]", to: b[key] === undefined ? null : "[redacted]" }
      : { from: a[key] ?? null, to: b[key] ?? null };
  }
  return changes;
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
