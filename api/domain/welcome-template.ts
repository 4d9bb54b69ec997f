/**
 * Welcome notices' template language, with no zod in it: the API renders notices with it and the tab previews
 * them with the same code, so a preview shows exactly what a person will get. `{name}` is a placeholder;
 * `{{` and `}}` are literal braces.
 */

/** The placeholders a template may use, each with the profile value it stands for. */
export const WELCOME_PLACEHOLDERS = [
  "firstName",
  "lastName",
  "displayName",
  "email",
  "jobTitle",
  "department",
  "companyName",
  "appLink",
] as const;
export type WelcomePlaceholder = (typeof WELCOME_PLACEHOLDERS)[number];

export type WelcomeValues = Partial<Record<WelcomePlaceholder, string>>;

export const WELCOME_CHANNELS = ["email", "teams"] as const;
export type WelcomeChannel = (typeof WELCOME_CHANNELS)[number];

/** What a notice says until the admin writes their own. */
export const DEFAULT_WELCOME_SUBJECT = "Welcome, {firstName}";
export const DEFAULT_WELCOME_BODY =
  "Hello {firstName},\n\nYour profile has been set up. Open the app to get started: {appLink}";

type TemplatePart = { text: string } | { placeholder: string };

/**
 * Splits a template into text and `{name}` placeholders. `{{` and `}}` stand for literal braces, so a notice
 * can still show one. Throws with a reader's message when a brace is left open or stands alone.
 */
function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    const next = template[i + 1];
    if ((c === "{" && next === "{") || (c === "}" && next === "}")) {
      text += c;
      i++;
      continue;
    }
    if (c === "}") throw new Error(`a "}" at character ${i + 1} closes nothing; write "}}" for a brace`);
    if (c !== "{") {
      text += c;
      continue;
    }
    const end = template.indexOf("}", i);
    const name = end < 0 ? "" : template.slice(i + 1, end);
    if (end < 0 || !/^[A-Za-z]+$/.test(name))
      throw new Error(
        `the "{" at character ${i + 1} does not start a placeholder such as {firstName}; write "{{" for a brace`,
      );
    if (text) parts.push({ text });
    text = "";
    parts.push({ placeholder: name });
    i = end;
  }
  if (text) parts.push({ text });
  return parts;
}

/** The problem with a template, in words for the admin, or undefined when it renders. */
export function templateProblem(template: string): string | undefined {
  let parts: TemplatePart[];
  try {
    parts = parseTemplate(template);
  } catch (err) {
    return (err as Error).message;
  }
  const unknown = parts.flatMap((p) =>
    "placeholder" in p && !(WELCOME_PLACEHOLDERS as readonly string[]).includes(p.placeholder)
      ? [p.placeholder]
      : [],
  );
  if (unknown.length > 0)
    return `{${unknown[0]}} is not a placeholder; use ${WELCOME_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`;
  return undefined;
}

/** Whether a template uses the placeholder (for "{appLink} needs a link"). */
export function usesPlaceholder(template: string, placeholder: WelcomePlaceholder): boolean {
  try {
    return parseTemplate(template).some((p) => "placeholder" in p && p.placeholder === placeholder);
  } catch {
    return false;
  }
}

/** Fills a valid template; a value the profile lacks renders as empty text. */
export function renderTemplate(template: string, values: WelcomeValues): string {
  return parseTemplate(template)
    .map((p) => ("text" in p ? p.text : (values[p.placeholder as WelcomePlaceholder] ?? "")))
    .join("");
}

/** The values a profile gives a template; appLink comes from the settings. */
export function welcomeValues(
  fields: Record<string, unknown>,
  displayName: string,
  appLink: string,
): WelcomeValues {
  const text = (v: unknown) => (typeof v === "string" ? v : Array.isArray(v) ? v.join(", ") : "");
  return {
    firstName: text(fields.firstName) || displayName,
    lastName: text(fields.lastName),
    displayName,
    email: text(fields.email),
    jobTitle: text(fields.jobTitle),
    department: text(fields.department),
    companyName: text(fields.companyName),
    appLink,
  };
}

/**
 * What became of a person's welcome notice: sent; failed (with its cause, sent again by the next run);
 * skipped (with the reason); pending (the next run sends it); uncertain (the sender stopped mid-send, so it
 * may have arrived: not sent again, so nobody is welcomed twice).
 */
export const WELCOME_STATUSES = ["pending", "sent", "failed", "skipped", "uncertain"] as const;
export type WelcomeStatus = (typeof WELCOME_STATUSES)[number];

/** A person's welcome notice as task details, the CSV and "why" show it. */
export interface WelcomeOutcome {
  status: WelcomeStatus;
  channel?: WelcomeChannel;
  /** The skip reason or the failure's cause. */
  detail?: string;
  attempts?: number;
  at: string;
}

const STATUS_WORDS: Record<WelcomeStatus, string> = {
  pending: "waiting to be sent",
  sent: "sent",
  failed: "failed",
  skipped: "skipped",
  uncertain: "may have been sent (interrupted)",
};

/**
 * One line for people, the same in the tab and in chat: "Welcome notice: sent by email", "Welcome notice:
 * failed by email (2 attempts): <cause>". The time is left to the caller, which formats it its own way.
 */
export function describeWelcome(outcome: WelcomeOutcome): string {
  const how = outcome.channel === "teams" ? " in Teams" : outcome.channel === "email" ? " by email" : "";
  const attempts = outcome.attempts && outcome.attempts > 1 ? ` (${outcome.attempts} attempts)` : "";
  const detail = outcome.detail ? `: ${outcome.detail}` : "";
  return `Welcome notice: ${STATUS_WORDS[outcome.status]}${how}${attempts}${detail}`;
}
