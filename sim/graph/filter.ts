import { SimError } from "../errors.ts";

/** The OData $filter subset Graph's directory answers; anything else is Request_UnsupportedQuery. */
export type FilterNode =
  | { type: "and" | "or"; left: FilterNode; right: FilterNode }
  | { type: "not"; expr: FilterNode }
  | { type: "cmp"; op: "eq" | "ne" | "gt" | "ge" | "lt" | "le"; prop: string; value: Literal }
  | { type: "fn"; name: "startswith" | "endswith"; prop: string; value: string }
  | { type: "in"; prop: string; values: Literal[] }
  | { type: "any"; prop: string; variable: string; body: FilterNode };

type Literal = string | number | boolean | null;
type Token = { t: "id" | "str" | "num" | "punct"; v: string };

const unsupported = (detail = "Invalid filter clause") =>
  new SimError(400, "Request_UnsupportedQuery", detail);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = "";
      i++;
      for (;;) {
        if (i >= src.length) throw unsupported("Invalid filter clause: unterminated string literal.");
        if (src[i] === "'" && src[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (src[i] === "'") {
          i++;
          break;
        } else s += src[i++];
      }
      out.push({ t: "str", v: s });
    } else if ("(),:".includes(c)) {
      out.push({ t: "punct", v: c });
      i++;
    } else if (/[0-9-]/.test(c) && /^-?\d+(\.\d+)?(?![\w-])/.test(src.slice(i))) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: "num", v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_$@]/.test(c)) {
      const m = /^[A-Za-z_$@][\w./-]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: "id", v: m[0] });
      i += m[0].length;
    } else throw unsupported(`Invalid filter clause: unexpected '${c}'.`);
  }
  return out;
}

export function parseFilter(src: string): FilterNode {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const next = () => {
    const t = toks[pos++];
    if (!t) throw unsupported("Invalid filter clause: unexpected end.");
    return t;
  };
  const expect = (v: string) => {
    const t = next();
    if (t.v !== v) throw unsupported(`Invalid filter clause: expected '${v}'.`);
  };
  const literal = (): Literal => {
    const t = next();
    if (t.t === "str") return t.v;
    if (t.t === "num") return Number(t.v);
    if (t.t === "id" && (t.v === "true" || t.v === "false")) return t.v === "true";
    if (t.t === "id" && t.v === "null") return null;
    // Graph accepts bare GUIDs in a few places; treat other bare words as unsupported.
    if (t.t === "id" && /^[0-9a-f-]{36}$/i.test(t.v)) return t.v;
    throw unsupported(`Invalid filter clause: '${t.v}' is not a literal.`);
  };
  const or = (): FilterNode => {
    let left = and();
    while (peek()?.t === "id" && peek()?.v.toLowerCase() === "or") {
      pos++;
      left = { type: "or", left, right: and() };
    }
    return left;
  };
  const and = (): FilterNode => {
    let left = unary();
    while (peek()?.t === "id" && peek()?.v.toLowerCase() === "and") {
      pos++;
      left = { type: "and", left, right: unary() };
    }
    return left;
  };
  const unary = (): FilterNode => {
    const t = peek();
    if (t?.t === "id" && t.v.toLowerCase() === "not") {
      pos++;
      return { type: "not", expr: unary() };
    }
    if (t?.v === "(") {
      pos++;
      const e = or();
      expect(")");
      return e;
    }
    return primary();
  };
  const primary = (): FilterNode => {
    const t = next();
    if (t.t !== "id") throw unsupported(`Invalid filter clause near '${t.v}'.`);
    const lower = t.v.toLowerCase();
    if ((lower === "startswith" || lower === "endswith") && peek()?.v === "(") {
      pos++;
      const prop = next();
      expect(",");
      const value = literal();
      expect(")");
      if (typeof value !== "string") throw unsupported();
      return { type: "fn", name: lower, prop: prop.v, value };
    }
    const anyMatch = /^(.+)\/any$/i.exec(t.v);
    if (anyMatch && peek()?.v === "(") {
      pos++;
      const variable = next().v;
      expect(":");
      const body = or();
      expect(")");
      return { type: "any", prop: anyMatch[1] as string, variable, body };
    }
    const op = next();
    const opLower = op.v.toLowerCase();
    if (opLower === "in") {
      expect("(");
      const values: Literal[] = [literal()];
      while (peek()?.v === ",") {
        pos++;
        values.push(literal());
      }
      expect(")");
      return { type: "in", prop: t.v, values };
    }
    if (!["eq", "ne", "gt", "ge", "lt", "le"].includes(opLower))
      throw unsupported(`Invalid filter clause: unknown operator '${op.v}'.`);
    return { type: "cmp", op: opLower as "eq", prop: t.v, value: literal() };
  };
  const tree = or();
  if (pos !== toks.length) throw unsupported("Invalid filter clause: trailing input.");
  return tree;
}

const norm = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);

export type Getter = (obj: unknown, prop: string) => unknown;

export function evaluate(
  node: FilterNode,
  obj: unknown,
  get: Getter,
  scope: Record<string, unknown> = {},
): boolean {
  const read = (prop: string) => (prop in scope ? scope[prop] : get(obj, prop));
  switch (node.type) {
    case "and":
      return evaluate(node.left, obj, get, scope) && evaluate(node.right, obj, get, scope);
    case "or":
      return evaluate(node.left, obj, get, scope) || evaluate(node.right, obj, get, scope);
    case "not":
      return !evaluate(node.expr, obj, get, scope);
    case "in": {
      const v = norm(read(node.prop));
      return node.values.some((x) => norm(x) === v);
    }
    case "fn": {
      const v = read(node.prop);
      if (typeof v !== "string") return false;
      const l = v.toLowerCase();
      return node.name === "startswith"
        ? l.startsWith(node.value.toLowerCase())
        : l.endsWith(node.value.toLowerCase());
    }
    case "any": {
      const list = read(node.prop);
      if (!Array.isArray(list)) return false;
      return list.some((item) => evaluate(node.body, obj, get, { ...scope, [node.variable]: item }));
    }
    case "cmp": {
      const a = norm(read(node.prop) ?? null);
      const b = norm(node.value);
      switch (node.op) {
        case "eq":
          return a === b;
        case "ne":
          return a !== b;
        case "gt":
          return a !== null && b !== null && (a as string) > (b as string);
        case "ge":
          return a !== null && b !== null && (a as string) >= (b as string);
        case "lt":
          return a !== null && b !== null && (a as string) < (b as string);
        case "le":
          return a !== null && b !== null && (a as string) <= (b as string);
      }
    }
  }
  return false;
}

/** Properties a filter reads (lambda variables excluded), and whether it needs Graph's advanced query mode. */
export function analyse(
  node: FilterNode,
  vars: Set<string> = new Set(),
): { props: Set<string>; advanced: string[] } {
  const props = new Set<string>();
  const advanced: string[] = [];
  const walk = (n: FilterNode, v: Set<string>) => {
    switch (n.type) {
      case "and":
      case "or":
        walk(n.left, v);
        walk(n.right, v);
        return;
      case "not":
        advanced.push("not");
        walk(n.expr, v);
        return;
      case "in":
        if (!v.has(n.prop)) props.add(n.prop);
        return;
      case "fn":
        if (n.name === "endswith") advanced.push("endsWith");
        if (!v.has(n.prop)) props.add(n.prop);
        return;
      case "any":
        props.add(n.prop);
        walk(n.body, new Set([...v, n.variable]));
        return;
      case "cmp":
        if (n.op === "ne") advanced.push("ne");
        if (n.value === null) advanced.push("eq null");
        if (!v.has(n.prop)) props.add(n.prop);
        return;
    }
  };
  walk(node, vars);
  return { props, advanced };
}
