import * as AC from "adaptivecards";

/** Host extensions Teams reads that the schema parser does not model. */
const HOST_KEYS = new Set(["msteams"]);

/**
 * Problems the `adaptivecards` parser finds in a card: parse events (unknown elements, bad values), validation
 * failures, and anything in the JSON that did not survive a parse/serialize round trip (a misspelt property
 * is silently dropped by the parser, so it shows up here).
 */
export function cardIssues(json: unknown): string[] {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json as object, context);
  const issues: string[] = [];
  for (let i = 0; i < context.eventCount; i++) issues.push(`parse: ${context.getEventAt(i).message}`);
  for (const event of card.validateProperties().validationEvents) issues.push(`validate: ${event.message}`);
  const roundTrip = card.toJSON(context) as unknown;
  for (const path of lost(json, roundTrip, "")) issues.push(`dropped by the parser: ${path}`);
  return issues;
}

function lost(input: unknown, output: unknown, path: string): string[] {
  if (input === null || typeof input !== "object") {
    return input === output || (typeof input === "string" && output === input)
      ? []
      : [`${path} (${JSON.stringify(input)} became ${JSON.stringify(output)})`];
  }
  if (output === null || typeof output !== "object") return [path || "(root)"];
  const out: string[] = [];
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (path === "" && HOST_KEYS.has(key)) continue;
    const next = (output as Record<string, unknown>)[key];
    if (next === undefined) {
      out.push(`${path}/${key}`);
      continue;
    }
    out.push(...lost(value, next, `${path}/${key}`));
  }
  return out;
}
