/** Case-insensitive "contains" search over a few fields; input is bound as a parameter, never spliced. */
export function searchClause(fields: string[], q: string | undefined) {
  if (!q) return { where: [] as string[], parameters: [] as { name: string; value: string }[] };
  return {
    where: [`(${fields.map((f) => `CONTAINS(LOWER(${f}), @q)`).join(" OR ")})`],
    parameters: [{ name: "@q", value: q.toLowerCase() }],
  };
}
