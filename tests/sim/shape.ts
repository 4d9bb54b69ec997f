/**
 * Structural comparison of a documented Graph response with ours: every property the documentation shows
 * must exist in ours with the same JSON type. A documented null means "optional", and a null on our side
 * is accepted for any documented type (Graph properties are nullable). Arrays of objects: each documented
 * element shape must be matched by at least one of our elements.
 */
export function shapeMismatches(doc: unknown, ours: unknown, path = "$"): string[] {
  if (doc === null) return [];
  if (ours === null || ours === undefined) return ours === null ? [] : [`${path}: missing`];
  const docType = jsonType(doc);
  const ourType = jsonType(ours);
  if (docType !== ourType) return [`${path}: expected ${docType}, got ${ourType}`];
  if (Array.isArray(doc) && Array.isArray(ours)) {
    const docObjects = doc.filter((d) => jsonType(d) === "object");
    if (docObjects.length === 0) {
      return doc.length > 0 && ours.length > 0 && jsonType(doc[0]) !== jsonType(ours[0])
        ? [`${path}[]: expected ${jsonType(doc[0])}, got ${jsonType(ours[0])}`]
        : [];
    }
    if (ours.length === 0) return [`${path}: documented as non-empty, ours is empty`];
    const problems: string[] = [];
    docObjects.forEach((d, i) => {
      const attempts = ours.map((o) => shapeMismatches(d, o, `${path}[${i}]`));
      if (!attempts.some((a) => a.length === 0)) {
        problems.push(...(attempts.sort((a, b) => a.length - b.length)[0] ?? []));
      }
    });
    return problems;
  }
  if (docType === "object") {
    const problems: string[] = [];
    const o = ours as Record<string, unknown>;
    for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
      if (value === null) continue;
      if (!(key in o)) problems.push(`${path}.${key}: missing`);
      else problems.push(...shapeMismatches(value, o[key], `${path}.${key}`));
    }
    return problems;
  }
  return [];
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}
