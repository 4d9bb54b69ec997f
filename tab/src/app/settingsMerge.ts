import type { Connection, Schedule, SyncSettings } from "../api/types.ts";
import { defaultSchedule, withDefaults } from "./settingsForm.ts";

/** What the settings page edits and saves of a connection. */
export interface Editable {
  name: string;
  settings: SyncSettings;
  schedule: Schedule;
  allowConcurrent: boolean;
}

/** One setting someone else changed: where, from what, to what, and whether this admin changed it too. */
export interface TheirChange {
  path: string[];
  from: unknown;
  to: unknown;
  alsoMine: boolean;
}

export interface MergeResult {
  /** Their version with every setting this admin changed on top (theirs where only they changed it). */
  merged: Editable;
  /** Empty when the other version differs only in what the page does not edit (status, last run, test). */
  theirChanges: TheirChange[];
}

export const editableOf = (c: Connection): Editable => ({
  name: c.name,
  settings: withDefaults(c.settings),
  schedule: { ...defaultSchedule(), ...c.schedule },
  allowConcurrent: c.allowConcurrent ?? false,
});

/**
 * The PATCH body for edits made against a stored version: concurrency is sent only when it changes, since
 * switching it is checked against the tenant's other connections.
 */
export function patchOf(
  edits: Editable,
  against: Connection,
): Omit<Editable, "allowConcurrent"> & {
  allowConcurrent?: boolean;
} {
  const { allowConcurrent, ...rest } = edits;
  return allowConcurrent === (against.allowConcurrent ?? false) ? rest : { ...rest, allowConcurrent };
}

type Leaves = Map<string, { path: string[]; value: unknown }>;

/** Objects are walked into; arrays and plain values are compared whole (a list is one setting). */
function leaves(value: unknown, path: string[] = [], out: Leaves = new Map()): Leaves {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, [...path, key], out);
    return out;
  }
  out.set(JSON.stringify(path), { path, value });
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== "object" || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/**
 * Three-way merge of the settings page: `base` is the version the page loaded (or last saved), `mine` what
 * the admin has in the form, `theirs` the version stored now. A setting only one side changed takes that
 * side's value; one both changed keeps this admin's value and is reported, so nothing typed is dropped.
 */
export function mergeEdits(base: Editable, mine: Editable, theirs: Editable): MergeResult {
  const [b, m, t] = [leaves(base), leaves(mine), leaves(theirs)];
  const merged = structuredClone(theirs) as unknown as Record<string, unknown>;
  const theirChanges: TheirChange[] = [];
  for (const key of new Set([...b.keys(), ...m.keys(), ...t.keys()])) {
    const path = (b.get(key) ?? m.get(key) ?? t.get(key))?.path ?? [];
    const [was, mineNow, theirsNow] = [b.get(key)?.value, m.get(key)?.value, t.get(key)?.value];
    const mineChanged = !same(was, mineNow);
    const theirsChanged = !same(was, theirsNow);
    if (theirsChanged)
      theirChanges.push({
        path,
        from: was,
        to: theirsNow,
        alsoMine: mineChanged && !same(mineNow, theirsNow),
      });
    if (mineChanged) setAt(merged, path, mineNow);
  }
  return { merged: merged as unknown as Editable, theirChanges };
}
