/**
 * A reader for the part of Bicep the infra tests look at: top-level declarations (param, var, resource,
 * module, output) and object literals, key by key. Expressions are kept as their source text. It tokenizes
 * the language (strings with interpolation, multi-line strings, comments, nesting) rather than matching
 * patterns over lines, so a comment, a string containing braces or a reordered block cannot fool it.
 */

type BicepValue = BicepObject | BicepArray | BicepExpression;
export interface BicepObject {
  kind: "object";
  entries: Map<string, BicepValue>;
}
interface BicepArray {
  kind: "array";
  items: BicepValue[];
}
interface BicepExpression {
  kind: "expression";
  text: string;
}
export interface BicepDeclaration {
  keyword: "param" | "var" | "resource" | "module" | "output" | "targetScope" | "type" | "func" | "import";
  name: string;
  /** The type of a param or output, the 'type@version' of a resource, the path of a module. */
  type?: string;
  value?: BicepValue;
  decorators: string[];
}

type Token =
  | { t: "newline" }
  | { t: "string"; text: string }
  | { t: "word"; text: string }
  | { t: "punct"; text: string };

export function parseBicep(source: string): BicepDeclaration[] {
  return new Parser(tokenize(source)).declarations();
}

/** The object a module passes as `params`, by the module's symbolic name. */
export function moduleParams(declarations: BicepDeclaration[], name: string): BicepObject {
  const module = declarations.find((d) => d.keyword === "module" && d.name === name);
  if (module?.value?.kind !== "object") throw new Error(`no module ${name}`);
  const params = module.value.entries.get("params");
  if (params?.kind !== "object") throw new Error(`module ${name} has no params object`);
  return params;
}

export function objectAt(object: BicepObject, key: string): BicepObject {
  const value = object.entries.get(key);
  if (value?.kind !== "object") throw new Error(`${key} is not an object`);
  return value;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = (s: string) => source.startsWith(s, i);
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "\n") {
      tokens.push({ t: "newline" });
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (at("//")) {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (at("/*")) {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (at("'''")) {
      const end = source.indexOf("'''", i + 3);
      if (end < 0) throw new Error("unterminated multi-line string");
      tokens.push({ t: "string", text: source.slice(i, end + 3) });
      i = end + 3;
    } else if (c === "'") {
      const start = i++;
      let depth = 0;
      while (i < source.length) {
        if (source[i] === "\\") i += 2;
        else if (depth === 0 && source[i] === "'") break;
        else if (source.startsWith("${", i)) {
          depth++;
          i += 2;
        } else {
          if (depth > 0 && source[i] === "}") depth--;
          else if (depth > 0 && source[i] === "{") depth++;
          i++;
        }
      }
      if (i >= source.length) throw new Error("unterminated string");
      tokens.push({ t: "string", text: source.slice(start, ++i) });
    } else if (/[A-Za-z0-9_]/.test(c)) {
      const start = i;
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i] as string)) i++;
      tokens.push({ t: "word", text: source.slice(start, i) });
    } else {
      const two = source.slice(i, i + 2);
      const op = ["==", "!=", "<=", ">=", "&&", "||", "=>", "??", "?."].includes(two) ? two : c;
      tokens.push({ t: "punct", text: op });
      i += op.length;
    }
  }
  return tokens;
}

const KEYWORDS = new Set([
  "param",
  "var",
  "resource",
  "module",
  "output",
  "targetScope",
  "type",
  "func",
  "import",
]);
const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isPunct(text: string, token = this.peek()): boolean {
    return token?.t === "punct" && token.text === text;
  }

  private skipNewlines(): void {
    while (this.peek()?.t === "newline") this.i++;
  }

  private expect(text: string): void {
    const token = this.tokens[this.i++];
    if (token?.t === "newline" || (token && token.text !== text))
      throw new Error(`expected ${text}, found ${token.t === "newline" ? "a new line" : token.text}`);
  }

  declarations(): BicepDeclaration[] {
    const out: BicepDeclaration[] = [];
    let decorators: string[] = [];
    for (this.skipNewlines(); this.peek(); this.skipNewlines()) {
      if (this.isPunct("@")) {
        this.i++;
        decorators.push(this.expressionText());
        continue;
      }
      const keyword = this.tokens[this.i++];
      if (keyword?.t !== "word" || !KEYWORDS.has(keyword.text))
        throw new Error(
          `unexpected ${keyword && "text" in keyword ? keyword.text : "new line"} at top level`,
        );
      const declaration = { keyword: keyword.text, decorators } as BicepDeclaration;
      decorators = [];
      if (keyword.text === "targetScope") {
        this.expect("=");
        declaration.name = "targetScope";
        declaration.value = this.value();
      } else {
        declaration.name = this.text();
        if (!this.isPunct("=") && this.peek()?.t !== "newline") declaration.type = this.text();
        if (this.peek()?.t === "word" && (this.peek() as { text: string }).text === "existing") this.i++;
        if (this.isPunct("=")) {
          this.i++;
          declaration.value = this.value();
        }
      }
      out.push(declaration);
    }
    return out;
  }

  private text(): string {
    const token = this.tokens[this.i++];
    if (!token || token.t === "newline") throw new Error("expected a name or a type");
    return token.text;
  }

  /** An object, an array, a conditional (`if (...) {...}`) or an expression up to the end of the line. */
  private value(): BicepValue {
    this.skipNewlines();
    const token = this.peek();
    if (token?.t === "word" && token.text === "if") {
      this.i++;
      this.balanced();
      return this.value();
    }
    if (this.isPunct("{")) return this.object();
    if (this.isPunct("[") && !this.startsForExpression()) return this.array();
    return { kind: "expression", text: this.expressionText() };
  }

  private startsForExpression(): boolean {
    let j = this.i + 1;
    while (this.tokens[j]?.t === "newline") j++;
    const next = this.tokens[j];
    return next?.t === "word" && next.text === "for";
  }

  private object(): BicepObject {
    this.expect("{");
    const entries = new Map<string, BicepValue>();
    for (this.skipNewlines(); !this.isPunct("}"); this.skipNewlines()) {
      const key = this.tokens[this.i++];
      if (!key || key.t === "newline") throw new Error("expected a property name");
      const name = key.t === "string" ? key.text.slice(1, -1) : key.text;
      this.expect(":");
      entries.set(name, this.value());
    }
    this.i++;
    return { kind: "object", entries };
  }

  private array(): BicepArray {
    this.expect("[");
    const items: BicepValue[] = [];
    for (this.skipNewlines(); !this.isPunct("]"); this.skipNewlines()) items.push(this.value());
    this.i++;
    return { kind: "array", items };
  }

  /** Skips a bracketed group, nested groups and line breaks inside it included. */
  private balanced(): string {
    const open = this.tokens[this.i++] as { text: string };
    const close = OPEN[open.text];
    if (!close) throw new Error(`expected a bracket, found ${open.text}`);
    const parts = [open.text];
    while (this.peek() && !this.isPunct(close)) {
      const token = this.peek() as Token;
      if (token.t === "punct" && OPEN[token.text]) parts.push(this.balanced());
      else {
        parts.push(token.t === "newline" ? " " : token.text);
        this.i++;
      }
    }
    this.i++;
    parts.push(close);
    return parts.join(" ");
  }

  /** An expression's tokens up to the end of its line (or the closing bracket of its container). */
  private expressionText(): string {
    const parts: string[] = [];
    for (let token = this.peek(); token && token.t !== "newline"; token = this.peek()) {
      if (token.t === "punct" && (token.text === "}" || token.text === "]")) break;
      if (token.t === "punct" && OPEN[token.text]) parts.push(this.balanced());
      else {
        parts.push(token.text);
        this.i++;
      }
    }
    return parts.join(" ");
  }
}
