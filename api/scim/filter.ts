import { filter as compile, type Filter, parse } from "scim2-parse-filter";
import { ScimError } from "./errors.ts";

const COMPARISON = /^(eq|ne|co|sw|ew|gt|lt|ge|le)$/i;
const LITERAL = /^(true|false|null|-?\d+(\.\d+)?)$/i;

/**
 * Clients (Microsoft's own reference tests among them) send bare words as values: `userName sw O`,
 * `meta.created gt 2015-10-10T14:38:21-07:00`. RFC 7644 wants them quoted; the parser is strict, so bare
 * values after a comparison operator are quoted first. Quoted strings are copied untouched.
 */
export function quoteBareValues(query: string): string {
  const out: string[] = [];
  let previousWord = "";
  let i = 0;
  while (i < query.length) {
    const ch = query[i] as string;
    if (ch === '"') {
      let j = i + 1;
      while (j < query.length && query[j] !== '"') j += query[j] === "\\" ? 2 : 1;
      out.push(query.slice(i, j + 1));
      previousWord = "";
      i = j + 1;
      continue;
    }
    if (/[\s()[\]]/.test(ch)) {
      out.push(ch);
      i++;
      continue;
    }
    let j = i;
    while (j < query.length && !/[\s()[\]"]/.test(query[j] as string)) j++;
    // A value may end in a closing parenthesis that belongs to the expression around it.
    const word = query.slice(i, j);
    const bare = COMPARISON.test(previousWord) && !LITERAL.test(word);
    out.push(bare ? JSON.stringify(word) : word);
    previousWord = word;
    i = j;
  }
  return out.join("");
}

export function parseFilter(query: string): Filter {
  try {
    return parse(quoteBareValues(query));
  } catch (err) {
    throw new ScimError(400, `filter: ${(err as Error).message} in "${query}"`, "invalidFilter");
  }
}

/**
 * Tests a filter against a SCIM resource. Attribute names are matched without regard to case (RFC 7643
 * §2.1), and so are values: every attribute this endpoint serves is `caseExact: false` (its schemas say so),
 * userName first of all. Keys and string values are lower-cased on both sides.
 */
export function matcher(f: Filter): (resource: Record<string, unknown>) => boolean {
  const test = compile(lowerAttributePaths(f));
  return (resource) => test(lowerKeys(resource));
}

function lowerAttributePaths(f: Filter): Filter {
  switch (f.op) {
    case "and":
    case "or":
      return { ...f, filters: f.filters.map(lowerAttributePaths) };
    case "not":
      return { ...f, filter: lowerAttributePaths(f.filter) };
    case "[]":
      return { ...f, attrPath: lowerPath(f.attrPath), valFilter: lowerAttributePaths(f.valFilter) };
    case "pr":
      return { ...f, attrPath: lowerPath(f.attrPath) };
    default:
      return {
        ...f,
        attrPath: lowerPath(f.attrPath),
        compValue: typeof f.compValue === "string" ? f.compValue.toLowerCase() : f.compValue,
      };
  }
}

const lowerPath = (path: string) => path.toLowerCase();

function lowerKeys(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return value.map(lowerKeys) as unknown as Record<string, unknown>;
  if (typeof value === "string") return value.toLowerCase() as unknown as Record<string, unknown>;
  if (value === null || typeof value !== "object") return value as Record<string, unknown>;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
}

/**
 * The simple equality Entra sends before every create and update (`userName eq "x"`, `externalId eq "x"`,
 * `displayName eq "x"`), so the store can answer it with an indexed query instead of a scan.
 */
export function simpleEquality(f: Filter): { attribute: string; value: string } | undefined {
  if (f.op !== "eq" || typeof f.compValue !== "string") return undefined;
  return { attribute: f.attrPath.toLowerCase(), value: f.compValue };
}
