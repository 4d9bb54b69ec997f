/**
 * Adaptive Card 1.5 JSON, built as plain objects: no SDK types, so the builders survive a move from botbuilder
 * to the Microsoft 365 Agents SDK unchanged. Version 1.5 is what Universal Actions (Action.Execute, refresh)
 * need in Teams.
 */
export const CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

export interface CardElement {
  type: string;
  [key: string]: unknown;
}

/** Verbs of Action.Execute that the bot answers (see bot/commands/actions.ts). */
export type CardVerb = "retry" | "confirm" | "cancel" | "refresh" | "run";

export interface ActionData {
  taskId?: string;
  connectionId?: string;
  /** For verb "run": a command to run as if typed, e.g. from a suggestion button. */
  command?: string;
}

export interface ExecuteAction {
  type: "Action.Execute";
  title: string;
  verb: CardVerb;
  data: ActionData;
  style?: "positive" | "destructive";
}

export interface OpenUrlAction {
  type: "Action.OpenUrl";
  title: string;
  url: string;
}

export type CardAction = ExecuteAction | OpenUrlAction;

export interface Refresh {
  action: { type: "Action.Execute"; verb: "refresh"; data: ActionData };
  /** Teams refreshes automatically for everyone in chats under 60 people, and for these ids beyond that. */
  userIds?: string[];
}

export interface AdaptiveCard {
  type: "AdaptiveCard";
  $schema: string;
  version: "1.5";
  body: CardElement[];
  actions?: CardAction[];
  refresh?: Refresh;
  msteams?: { width: "Full" };
}

export function adaptiveCard(
  body: CardElement[],
  options: { actions?: CardAction[]; refresh?: Refresh; fullWidth?: boolean } = {},
): AdaptiveCard {
  return {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: "1.5",
    body,
    ...(options.actions && options.actions.length > 0 ? { actions: options.actions } : {}),
    ...(options.refresh ? { refresh: options.refresh } : {}),
    ...(options.fullWidth ? { msteams: { width: "Full" as const } } : {}),
  };
}

type Color = "Default" | "Good" | "Attention" | "Warning" | "Accent";

export const heading = (text: string, color: Color = "Default"): CardElement => ({
  type: "TextBlock",
  text,
  size: "Medium",
  weight: "Bolder",
  color,
  wrap: true,
  style: "heading",
});

export const text = (
  value: string,
  options: { subtle?: boolean; color?: Color; weight?: "Bolder"; spacing?: "Medium" | "Small" } = {},
): CardElement => ({
  type: "TextBlock",
  text: value,
  wrap: true,
  ...(options.subtle ? { isSubtle: true } : {}),
  ...(options.color ? { color: options.color } : {}),
  ...(options.weight ? { weight: options.weight } : {}),
  ...(options.spacing ? { spacing: options.spacing } : {}),
});

/** A fact set without the empty rows, so optional details simply disappear. */
export function facts(pairs: Array<[string, string | undefined]>): CardElement {
  return {
    type: "FactSet",
    facts: pairs
      .filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== "")
      .map(([title, value]) => ({ title, value })),
  };
}

/** A markdown bullet list in one TextBlock (Teams renders "- " lines as a list). */
export const bullets = (items: string[]): CardElement => text(items.map((item) => `- ${item}`).join("\n"));

export function table(header: string[], rows: string[][], widths?: number[]): CardElement {
  const row = (cells: string[], bold: boolean) => ({
    type: "TableRow",
    cells: cells.map((cell) => ({
      type: "TableCell",
      items: [{ type: "TextBlock", text: cell, wrap: true, ...(bold ? { weight: "Bolder" } : {}) }],
    })),
  });
  return {
    type: "Table",
    // The first row is the header (the 1.5 default for firstRowAsHeader).
    columns: header.map((_, i) => ({ width: widths?.[i] ?? 1 })),
    showGridLines: false,
    rows: [row(header, true), ...rows.map((cells) => row(cells, false))],
  };
}

export const openUrl = (title: string, url: string): OpenUrlAction => ({
  type: "Action.OpenUrl",
  title,
  url,
});

export const execute = (
  title: string,
  verb: CardVerb,
  data: ActionData,
  style?: "positive" | "destructive",
): ExecuteAction => ({ type: "Action.Execute", title, verb, data, ...(style ? { style } : {}) });

export const refreshFor = (data: ActionData, userIds?: string[]): Refresh => ({
  action: { type: "Action.Execute", verb: "refresh", data },
  ...(userIds && userIds.length > 0 ? { userIds } : {}),
});

/** Names and emails come from the directory; keep them from turning into markdown. */
export const plain = (value: string): string => value.replace(/([\\`*_[\]<>#])/g, "\\$1");
