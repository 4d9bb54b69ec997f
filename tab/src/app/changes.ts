/**
 * Changed properties as people read them (the audit log and the per-record details): readable property
 * names, old and new values as text, times in the reader's own format. Pure, so it is unit-tested.
 */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const MAX_TEXT = 120;
const MAX_ITEMS = 5;

/** What each audited action did, in words. */
export const AUDIT_ACTIONS: Record<string, string> = {
  "connection.create": "Created connection",
  "connection.update": "Changed connection",
  "connection.deactivate": "Switched connection off",
  "connection.reactivate": "Switched connection on",
  "connection.delete": "Deleted connection",
  "connection.rotate-secret": "Entered a new client secret",
  "connection.consented": "Granted admin consent",
  "connection.reauthorized": "Reauthorized connection",
  "connection.needs-reauth": "Connection lost its authorization",
  "connection.recovered": "Connection's authorization works again",
  "attribute.create": "Defined custom attribute",
  "attribute.delete": "Removed custom attribute",
  "schedule.pause": "Paused scheduled syncs",
  "schedule.resume": "Resumed scheduled syncs",
};

/** "connection.rotate-secret" → "Entered a new client secret"; unknown codes are made readable, not hidden. */
export function actionLabel(code: string): string {
  const known = AUDIT_ACTIONS[code];
  if (known) return known;
  const words = code.replace(/[._-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const PROPERTY_NAMES: Record<string, string> = {
  deletionGuard: "deletion guard",
  maxCount: "max deletions",
  maxPercent: "max deletions (%)",
  groupIds: "groups",
  namePrefix: "name prefix",
  intervalMinutes: "every (minutes)",
  fullEveryHours: "full sync every (hours)",
  allowConcurrent: "allow concurrent connections",
  updateOnly: "update only",
  otherMails: "other mails",
  proxyAddresses: "proxy addresses",
  secretHint: "client secret",
  clientId: "application (client) id",
  what: "what to sync",
};

const words = (segment: string) =>
  PROPERTY_NAMES[segment] ??
  segment
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();

/** "settings.deletionGuard.maxCount" → "Deletion guard › Max deletions" (settings are what most entries change). */
export function propertyLabel(path: string): string {
  const all = path.split(".");
  const segments = all.length > 1 && all[0] === "settings" ? all.slice(1) : all;
  return segments
    .map(words)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" › ");
}

const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

/** One old or new value as text: "(empty)", "On"/"Off", lists of names, local times, objects summarised. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined || v === "") return "(empty)";
  if (typeof v === "boolean") return v ? "On" : "Off";
  if (typeof v === "number") return String(v);
  if (typeof v === "string")
    return ISO_TIME.test(v) && !Number.isNaN(Date.parse(v)) ? dateTime.format(Date.parse(v)) : clip(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return "(none)";
    const shown = v.slice(0, MAX_ITEMS).map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x)));
    return clip(`${shown.join(", ")}${v.length > MAX_ITEMS ? ` and ${v.length - MAX_ITEMS} more` : ""}`);
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return "(empty)";
  return clip(entries.map(([k, x]) => `${words(k)}: ${valueText(x)}`).join("; "));
}

/** The full value, for a tooltip when `valueText` had to shorten it. */
export function fullValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 1);
}
