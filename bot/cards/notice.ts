import type { ProblemView } from "../views.ts";
import { type AdaptiveCard, adaptiveCard, type CardAction, execute, heading, plain, text } from "./card.ts";

/** A short answer: done, refused, or a problem with its cause and remedy. */
export function noticeCard(
  title: string,
  message: string,
  options: { remedy?: string; tone?: "Good" | "Warning" | "Attention"; actions?: CardAction[] } = {},
): AdaptiveCard {
  return adaptiveCard(
    [
      heading(title, options.tone ?? "Default"),
      text(message),
      ...(options.remedy ? [text(`**What to do:** ${options.remedy}`)] : []),
    ],
    options.actions ? { actions: options.actions } : {},
  );
}

export const problemCard = (title: string, problem: ProblemView) =>
  noticeCard(title, problem.message, { remedy: problem.remedy, tone: "Attention" });

const REFUSAL_REMEDY =
  "Ask a Directory Sync admin to do it, or to give you the DirectorySync.Admin role in Entra ID.";

/** One sentence, for cards that keep their content and add the refusal as a note. */
export const refusalText = (what: string, name: string | undefined) =>
  `Sorry${name ? ` ${plain(name)}` : ""}, only Directory Sync admins can ${what}. ${REFUSAL_REMEDY}`;

export function refusalCard(what: string, name: string | undefined): AdaptiveCard {
  return noticeCard(
    "Only admins can do that",
    `Sorry${name ? ` ${plain(name)}` : ""}, only Directory Sync admins can ${what}. You can still read status, history and why.`,
    { remedy: REFUSAL_REMEDY, tone: "Warning" },
  );
}

export function unknownCommandCard(input: string, suggestions: string[]): AdaptiveCard {
  const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
  return noticeCard(
    "I didn't get that",
    suggestions.length > 0
      ? `I don't know "${plain(shown)}". Did you mean ${suggestions.map((s) => `**${s}**`).join(" or ")}?`
      : `I don't know "${plain(shown)}".`,
    {
      remedy: "Pick a suggestion, or type **help** to see every command.",
      actions: [
        ...suggestions.map((command) => execute(command, "run", { command })),
        execute("Help", "run", { command: "help" }),
      ],
    },
  );
}
