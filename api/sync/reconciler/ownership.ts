import type { FieldValue } from "../../domain/records.ts";
import type { ProfileDoc } from "../../store/documents.ts";

/** A field with nothing in it: no value, an empty string or an empty list. */
export const isEmpty = (v: FieldValue | undefined) =>
  v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);

/**
 * One person is one profile even when a Graph connection pulls them and a SCIM connection pushes them. The
 * profile's own connection (its `connectionId`) owns every field it supplies; another connection fills
 * only the fields the owner leaves empty. `fieldOwners` says who wrote which, for the tab and for the next
 * write. A profile only one connection ever wrote has no `fieldOwners`, and this changes nothing for it.
 */
export function ownerWrite(
  base: ProfileDoc | undefined,
  fields: Record<string, FieldValue>,
  owner: string,
): { fields: Record<string, FieldValue>; fieldOwners?: Record<string, string> } {
  const others = Object.entries(base?.fieldOwners ?? {}).filter(([, c]) => c !== owner);
  if (!base || others.length === 0) return { fields };
  const merged = { ...fields };
  const owners: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (!isEmpty(v)) owners[k] = owner;
  for (const [k, c] of others)
    if (isEmpty(fields[k]) && !isEmpty(base.fields[k])) {
      merged[k] = base.fields[k] as FieldValue;
      owners[k] = c;
    }
  return { fields: merged, fieldOwners: owners };
}

/** A write by a connection that does not own the profile: it fills empty fields and keeps its own earlier ones. */
export function guestWrite(
  base: ProfileDoc,
  fields: Record<string, FieldValue>,
  writer: string,
): { fields: Record<string, FieldValue>; fieldOwners: Record<string, string> } {
  const merged = { ...base.fields };
  const owners: Record<string, string> = {};
  for (const k of Object.keys(base.fields))
    if (!isEmpty(base.fields[k])) owners[k] = base.fieldOwners?.[k] ?? base.connectionId;
  for (const [k, v] of Object.entries(fields)) {
    const heldByGuest = base.fieldOwners?.[k] === writer;
    if (isEmpty(v)) {
      if (heldByGuest) {
        merged[k] = null;
        delete owners[k];
      }
      continue;
    }
    if (heldByGuest || isEmpty(base.fields[k])) {
      merged[k] = v;
      owners[k] = writer;
    }
  }
  return { fields: merged, fieldOwners: owners };
}
