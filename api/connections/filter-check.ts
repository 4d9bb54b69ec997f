import type { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";

/** A comparison with a bare word where Graph wants a quoted string: `department eq Sales`. */
const UNQUOTED = /\b(eq|ne|gt|ge|lt|le)\s+(?!true\b|false\b|null\b)[A-Za-z][\w-]*/i;

/**
 * Asks Microsoft Graph whether it accepts an OData user filter, the way a sync will send it (advanced
 * query, one user), so a filter Graph rejects is caught when it is saved rather than at the next preview.
 * Answers what is wrong, in words for the filter field; undefined when Graph accepts it, or when Graph
 * cannot be asked right now (credentials, throttling, outage): the sync itself reports those.
 */
export async function rejectedUserFilter(graph: GraphApi, filter: string): Promise<string | undefined> {
  try {
    await graph.get(`/users?$select=id&$top=1&$count=true&$filter=${encodeURIComponent(filter)}`, {
      ConsistencyLevel: "eventual",
    });
    return undefined;
  } catch (err) {
    if (!isDirectoryProblem(err, "invalid-request")) return undefined;
    const said = err.message
      .replace(/^Microsoft Graph rejected the request for [^:]*:\s*/, "")
      .replace(/\.+$/, "");
    const hint = UNQUOTED.test(filter)
      ? " Put text values in single quotes, for example department eq 'Sales'."
      : " Check the property names and operators Microsoft Graph supports for users.";
    return `Microsoft Graph rejected this filter: ${said}.${hint}`;
  }
}
