/** Human-readable numbers for the tables and progress lines. */

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.floor(s - m * 60)).padStart(2, "0")}s`;
}

export const formatCount = (n: number) => Math.round(n).toLocaleString("en-US");

export const formatMb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

export const formatRatio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : "-");

export const formatPercent = (n: number) => `${(n * 100).toFixed(1)}%`;
