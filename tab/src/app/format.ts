/** Formatting shared by the screens: durations, times, counts. Pure, so it is unit-tested. */

export function formatDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours === 0) return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
  return `${hours} h ${String(minutes).padStart(2, "0")} min`;
}

/** How long a task ran (or has been running, given `now`). */
export function taskDuration(
  task: { startedAt?: string; finishedAt?: string; createdAt: string },
  now: number = Date.now(),
): number | undefined {
  const start = Date.parse(task.startedAt ?? task.createdAt);
  if (Number.isNaN(start)) return undefined;
  const end = task.finishedAt ? Date.parse(task.finishedAt) : now;
  return Number.isNaN(end) ? undefined : Math.max(0, end - start);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatWhen(iso: string | undefined | null): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "—" : dateTime.format(t);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "in 5 minutes", "2 hours ago", "just now". */
export function formatRelative(
  iso: string | undefined | null,
  now: number = Date.now(),
  locale?: string,
): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "—";
  const diff = t - now;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of UNITS)
    if (Math.abs(diff) >= size) return rtf.format(Math.round(diff / size), unit);
  return diff >= 0 ? "in less than a minute" : "just now";
}

const number = new Intl.NumberFormat();
export const formatCount = (n: number | undefined | null): string =>
  n === undefined || n === null ? "—" : number.format(n);

/** Progress as a fraction 0..1, or undefined when the total is not known yet (indeterminate bar). */
export function progressFraction(progress: { processed: number; total?: number }): number | undefined {
  if (!progress.total || progress.total <= 0) return undefined;
  return Math.min(1, Math.max(0, progress.processed / progress.total));
}

/** Human words for the codes the API uses. */
export const LABELS = {
  taskType: {
    full: "Users and lists",
    users: "Users only",
    lists: "Lists only",
    incremental: "Incremental",
    preview: "Preview",
  },
  trigger: {
    manual: "Manual",
    schedule: "Schedule",
    bot: "Bot",
    api: "API",
    scim: "SCIM",
    notification: "Change in Entra",
  },
  connectionKind: {
    "graph-app": "App credentials",
    "graph-delegated": "Delegated (admin consent)",
    scim: "SCIM provisioning",
  },
} as const;

/** A value from a profile, as text. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (Array.isArray(v)) return v.length ? v.join(", ") : "—";
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** "Microsoft 365", "Security", "Distribution"… from what Graph says about a group. */
export function groupTypeLabel(g: {
  groupType?: string;
  groupTypes?: string[];
  securityEnabled?: boolean;
  mailEnabled?: boolean;
}): string {
  if (g.groupType) return g.groupType;
  const types = g.groupTypes ?? [];
  const dynamic = types.includes("DynamicMembership") ? " (dynamic)" : "";
  if (types.includes("Unified")) return `Microsoft 365${dynamic}`;
  if (g.securityEnabled && g.mailEnabled) return `Mail-enabled security${dynamic}`;
  if (g.securityEnabled) return `Security${dynamic}`;
  if (g.mailEnabled) return `Distribution${dynamic}`;
  return `Group${dynamic}`;
}

/** "Every minute", "Every 15 minutes", "Every 2 hours": a schedule's interval as a person says it. */
export function formatInterval(minutes: number): string {
  if (minutes === 1) return "Every minute";
  if (minutes % 60 === 0) return minutes === 60 ? "Every hour" : `Every ${minutes / 60} hours`;
  return `Every ${minutes} minutes`;
}
