import { type AdaptiveCard, adaptiveCard, execute, heading, table, text } from "./card.ts";

export interface HelpEntry {
  usage: string;
  description: string;
  adminOnly: boolean;
}

export function helpCard(entries: HelpEntry[]): AdaptiveCard {
  return adaptiveCard(
    [
      heading("What I can do"),
      text(
        "Type a command here (in a channel, mention me first). Commands marked ★ need a Directory Sync admin.",
      ),
      table(
        ["Command", "What it does"],
        entries.map((entry) => [`${entry.adminOnly ? "★ " : ""}\`${entry.usage}\``, entry.description]),
        [2, 3],
      ),
    ],
    {
      actions: [
        execute("Status", "run", { command: "status" }),
        execute("History", "run", { command: "history" }),
      ],
      fullWidth: true,
    },
  );
}
