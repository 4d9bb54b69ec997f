import { type AdaptiveCard, adaptiveCard, execute, heading, table, text } from "./card.ts";

export interface HelpEntry {
  usage: string;
  description: string;
  adminOnly: boolean;
}

/**
 * "why <email or UPN>" as **why** *email or UPN*: Teams' card markdown has no inline code (backticks show
 * as they are), so the words to type are bold and the placeholders italic.
 */
function usageText(usage: string): string {
  const [command = usage, ...rest] = usage.split(/\s(?=[<[])/);
  const args = rest.map((arg) => arg.replace(/^[<[](.*)[>\]]$/, (_, inner: string) => `_${inner}_`));
  return [`**${command}**`, ...args].join(" ");
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
        entries.map((entry) => [
          `${entry.adminOnly ? "★ " : ""}${usageText(entry.usage)}`,
          entry.description,
        ]),
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
