import type { WelcomeOutcome } from "../api/types.ts";

const STATUS_WORDS: Record<WelcomeOutcome["status"], string> = {
  pending: "waiting to be sent",
  sent: "sent",
  failed: "failed",
  skipped: "skipped",
  uncertain: "may have been sent (interrupted)",
};

/** "Welcome notice: sent by email", "Welcome notice: failed (2 attempts): <cause>". */
export function welcomeText(w: WelcomeOutcome): string {
  const how = w.channel === "teams" ? " in Teams" : w.channel === "email" ? " by email" : "";
  const attempts = w.attempts && w.attempts > 1 ? ` (${w.attempts} attempts)` : "";
  return `Welcome notice: ${STATUS_WORDS[w.status]}${how}${attempts}${w.detail ? `: ${w.detail}` : ""}`;
}
