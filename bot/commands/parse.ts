import { distance } from "fastest-levenshtein";
import { COMMANDS, type CommandName } from "./catalog.ts";

export type ParsedCommand =
  | { kind: "command"; name: Exclude<CommandName, "history" | "why"> }
  | { kind: "command"; name: "history"; count: number }
  | { kind: "command"; name: "why"; who: string }
  | { kind: "invalid"; name: CommandName; message: string }
  | { kind: "unknown"; input: string; suggestions: string[] }
  | { kind: "empty" };

const HISTORY_DEFAULT = 5;
const HISTORY_MAX = 20;

const ENTITIES: Record<string, string> = {
  "&nbsp;": " ",
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
};

/**
 * The words the user typed. Teams prepends the bot mention (`<at>Directory Sync</at>`) in channels, wraps
 * emails in `<a href="mailto:…">` and sends `&nbsp;`; none of that is part of the command.
 */
export function normalize(raw: string): string {
  return raw
    .replace(/<at>[^<]*<\/at>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(nbsp|amp|lt|gt|quot|#39);/gi, (m) => ENTITIES[m.toLowerCase()] ?? m)
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.!?]+$/, "");
}

const WORDS: Array<{ words: string[]; name: CommandName }> = COMMANDS.map((c) => ({
  words: c.name.split(" "),
  name: c.name,
}));

export function parseCommand(raw: string): ParsedCommand {
  const input = normalize(raw);
  if (!input) return { kind: "empty" };
  const tokens = input.split(" ");
  const lower = tokens.map((t) => t.toLowerCase());
  const match = WORDS.filter(({ words }) => words.every((w, i) => lower[i] === w)).sort(
    (a, b) => b.words.length - a.words.length,
  )[0];
  if (!match) return { kind: "unknown", input, suggestions: suggest(lower) };
  const rest = tokens.slice(match.words.length);
  switch (match.name) {
    case "history": {
      if (rest.length === 0) return { kind: "command", name: "history", count: HISTORY_DEFAULT };
      const n = Number(rest[0]);
      if (rest.length > 1 || !Number.isInteger(n) || n < 1)
        return {
          kind: "invalid",
          name: "history",
          message: `"history" takes a whole number of syncs to show, such as "history 10" (up to ${HISTORY_MAX}).`,
        };
      return { kind: "command", name: "history", count: Math.min(n, HISTORY_MAX) };
    }
    case "why": {
      const who = rest.join(" ").trim();
      if (!who)
        return {
          kind: "invalid",
          name: "why",
          message: 'Tell me who: "why adele.vance@contoso.com" (an email address or user principal name).',
        };
      return { kind: "command", name: "why", who };
    }
    default:
      // Extra words after a command without arguments are more likely a typo than intent.
      if (rest.length > 0) return { kind: "unknown", input, suggestions: suggest(lower) };
      return { kind: "command", name: match.name as Exclude<CommandName, "history" | "why"> };
  }
}

/** Commands within a small edit distance of what was typed, closest first. */
function suggest(lowerTokens: string[], max = 3): string[] {
  const scored = WORDS.map(({ words, name }) => {
    const typed = lowerTokens.slice(0, words.length).join(" ");
    const target = words.join(" ");
    // A prefix ("sta", "hist") counts as close: people abbreviate.
    const d = target.startsWith(typed) && typed.length >= 3 ? 1 : distance(typed, target);
    return { name, d, limit: Math.max(1, Math.floor(target.length / 3)) };
  })
    .filter((s) => s.d <= s.limit)
    .sort((a, b) => a.d - b.d);
  return [...new Set(scored.map((s) => s.name))].slice(0, max);
}
