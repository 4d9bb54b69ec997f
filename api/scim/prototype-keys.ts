const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Whether a name would reach an object's prototype when used as a property key. */
export const isPrototypeKey = (name: string) => PROTOTYPE_KEYS.has(name.trim().toLowerCase());

/**
 * The path of the first `__proto__`, `constructor` or `prototype` key in a parsed body, if any. No SCIM
 * attribute has these names, and code that copies or merges the body by property access (scim-patch among it)
 * would otherwise write them onto Object.prototype for the whole process.
 */
export function prototypeKeyPath(body: unknown): string | undefined {
  // A loop over parent links, not recursion or growing strings: a 1 MB body nested hundreds of thousands
  // deep must neither overflow the stack nor build a path for every level.
  const pending: Step[] = [{ value: body, key: "" }];
  for (let step = pending.pop(); step; step = pending.pop()) {
    const { value } = step;
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        pending.push({ value: item, key: `[${i}]`, parent: step });
      });
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      const child: Step = { value: item, key, parent: step };
      if (isPrototypeKey(key)) return pathOf(child);
      pending.push(child);
    }
  }
  return undefined;
}

interface Step {
  value: unknown;
  key: string;
  parent?: Step;
}

function pathOf(step: Step): string {
  const keys: string[] = [];
  for (let s: Step | undefined = step; s?.parent; s = s.parent) keys.push(s.key);
  return keys
    .reverse()
    .reduce((path, key) => (key.startsWith("[") || !path ? path + key : `${path}.${key}`), "");
}
