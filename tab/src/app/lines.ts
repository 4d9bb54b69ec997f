/** One value per line, as admins paste them: per-line validation with the line number in every message. */

export type LineKind = "email" | "guid";

export interface LineProblem {
  line: number;
  text: string;
  message: string;
}

export interface ParsedLines {
  values: string[];
  problems: LineProblem[];
  /** Lines repeating an earlier value; kept once, not an error. */
  duplicates: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Close to the API's check: a local part without leading/double dots, then a dotted domain with a TLD.
const EMAIL = /^(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

export const isGuid = (v: string): boolean => GUID.test(v.trim());
export const isEmail = (v: string): boolean => EMAIL.test(v.trim());

function check(kind: LineKind, value: string): string | undefined {
  if (/[,;\s]/.test(value)) return "put one value on each line";
  if (kind === "guid") return GUID.test(value) ? undefined : "not an Entra object id (a GUID)";
  return EMAIL.test(value) ? undefined : "not an email address";
}

export function parseLines(text: string, kind: LineKind, max = Number.POSITIVE_INFINITY): ParsedLines {
  const values: string[] = [];
  const problems: LineProblem[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const value = raw.trim();
    if (!value) return;
    const message = check(kind, value);
    if (message) {
      problems.push({ line: i + 1, text: value, message });
      return;
    }
    const key = value.toLowerCase();
    if (seen.has(key)) {
      duplicates++;
      return;
    }
    seen.add(key);
    values.push(key);
  });
  if (values.length > max)
    problems.push({ line: 0, text: "", message: `at most ${max.toLocaleString()} values are allowed` });
  return { values, problems, duplicates };
}

/** "Line 3: not an email address (bob@)" — at most `limit` lines, then "and N more". */
export function describeProblems(problems: LineProblem[], limit = 5): string {
  const shown = problems
    .slice(0, limit)
    .map((p) => (p.line ? `Line ${p.line}: ${p.message} (${p.text})` : p.message));
  if (problems.length > limit) shown.push(`and ${problems.length - limit} more`);
  return shown.join("; ");
}

export const toLines = (values: readonly string[]): string => values.join("\n");
