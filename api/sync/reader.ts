import pLimit from "p-limit";
import type { SyncSettings } from "../domain/sync-settings.ts";
import type { GraphApi } from "../graph/client.ts";
import { DirectoryProblem } from "../graph/problems.ts";
import {
  type DirectoryObject,
  directoryObjectSchema,
  type GraphGroup,
  type GraphUser,
  graphGroupSchema,
  graphUserSchema,
} from "./graph-types.ts";
import { userSelect } from "./mapping.ts";

export const GROUP_SELECT = "id,displayName,description,mail,groupTypes,securityEnabled,mailEnabled";
const USER_TYPE = "#microsoft.graph.user";
const ok = (status: number) => status >= 200 && status < 300;
const GROUP_TYPE = "#microsoft.graph.group";

export interface Malformed {
  id: string;
  problem: string;
}

/** Validates one page of Graph objects; malformed ones are reported, not fatal. */
function validatePage<T>(
  items: unknown[],
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } };
  },
  malformed: Malformed[],
): T[] {
  const out: T[] = [];
  for (const item of items) {
    const parsed = schema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
    else
      malformed.push({
        id: String((item as { id?: unknown })?.id ?? "(no id)"),
        problem: `Graph returned an object this product cannot read: ${parsed.error.message.slice(0, 200)}`,
      });
  }
  return out;
}

/** Checks that each group id exists before anything is written; a missing one fails the run by name. */
export async function requireGroups(graph: GraphApi, ids: string[], purpose: string): Promise<GraphGroup[]> {
  const responses = await graph.batchGet(
    ids.map((id, i) => ({ id: String(i), url: `/groups/${id}?$select=${GROUP_SELECT}` })),
  );
  const groups: GraphGroup[] = [];
  const missing: string[] = [];
  responses.forEach((response, i) => {
    const id = ids[i] as string;
    if (response.status === 404) missing.push(id);
    else if (!ok(response.status)) throw graph.failureOf(response, `/groups/${id}`);
    else groups.push(graphGroupSchema.parse(response.body));
  });
  if (missing.length > 0)
    throw new DirectoryProblem(
      "not-found",
      `${missing.length === 1 ? "Group" : "Groups"} ${missing.join(", ")} (${purpose}) no longer ${missing.length === 1 ? "exists" : "exist"} in Entra ID.`,
      "Remove the group from the connection's settings or choose another one, then sync again.",
      404,
    );
  return groups;
}

export interface UserPage {
  users: GraphUser[];
  malformed: Malformed[];
}

/**
 * Streams the users the scope asks Graph for. Group and administrative-unit scopes read transitive
 * members (nested groups count) and drop duplicates; other scopes read all users with the OData filter.
 */
export async function* readScopedUsers(graph: GraphApi, settings: SyncSettings): AsyncGenerator<UserPage> {
  const select = userSelect(settings).join(",");
  const scope = settings.users;
  if (scope.scope === "groups" || scope.scope === "administrativeUnits") {
    const seen = new Set<string>();
    const sources =
      scope.scope === "groups"
        ? scope.groupIds.map((id) => `/groups/${id}/transitiveMembers?$select=${select}&$top=999`)
        : scope.administrativeUnitIds.map(
            (id) => `/directory/administrativeUnits/${id}/members?$select=${select}&$top=999`,
          );
    for (const path of sources) {
      for await (const page of graph.pages<DirectoryObject>(path)) {
        const malformed: Malformed[] = [];
        const users = validatePage(
          page.items.filter((o) => (o["@odata.type"] ?? USER_TYPE) === USER_TYPE && !seen.has(o.id)),
          graphUserSchema,
          malformed,
        );
        for (const u of users) seen.add(u.id);
        yield { users, malformed };
      }
    }
    return;
  }
  const filter = scope.scope === "all" && scope.filter ? `&$filter=${encodeURIComponent(scope.filter)}` : "";
  const headers: Record<string, string> = filter ? { ConsistencyLevel: "eventual" } : {};
  const countParam = filter ? "&$count=true" : "";
  for await (const page of graph.pages<unknown>(
    `/users?$select=${select}&$top=999${filter}${countParam}`,
    headers,
  )) {
    const malformed: Malformed[] = [];
    yield { users: validatePage(page.items, graphUserSchema, malformed), malformed };
  }
}

/** The groups that become lists: all (optionally by display-name prefix) or a whitelist of ids. */
export async function readScopedGroups(
  graph: GraphApi,
  settings: SyncSettings,
): Promise<{ groups: GraphGroup[]; malformed: Malformed[] }> {
  const malformed: Malformed[] = [];
  const prefix = settings.lists.namePrefix.toLowerCase();
  const keep = (g: GraphGroup) => !prefix || (g.displayName ?? "").toLowerCase().startsWith(prefix);
  if (settings.lists.scope === "ids") {
    return {
      groups: (await requireGroups(graph, settings.lists.groupIds, "in the list whitelist")).filter(keep),
      malformed,
    };
  }
  const groups: GraphGroup[] = [];
  for await (const page of graph.pages<unknown>(`/groups?$select=${GROUP_SELECT}&$top=999`)) {
    groups.push(...validatePage(page.items, graphGroupSchema, malformed).filter(keep));
  }
  return { groups, malformed };
}

/**
 * Transitive user members of each group: first pages in JSON batches of 20, then each large group's
 * remaining pages directly.
 */
const PAGES_IN_FLIGHT = 4;

/** Each group's transitive members, by the group's id: user ids, and nested group ids. */
export interface GroupMembers {
  users: Map<string, Set<string>>;
  nested: Map<string, Set<string>>;
}

export async function readGroupMembers(graph: GraphApi, groupIds: string[]): Promise<GroupMembers> {
  const users = new Map<string, Set<string>>();
  const nested = new Map<string, Set<string>>();
  const path = (id: string) => `/groups/${id}/transitiveMembers?$select=id&$top=999`;
  const responses = await graph.batchGet(groupIds.map((id) => ({ id, url: path(id) })));
  // Anything but success (a missing answer included) fails the read: no answer is not "no members".
  const failed = responses.find((r) => !ok(r.status));
  if (failed) throw graph.failureOf(failed, path(failed.id));
  const limit = pLimit(PAGES_IN_FLIGHT);
  const rest: Promise<void>[] = [];
  for (const response of responses) {
    const userSet = new Set<string>();
    const groupSet = new Set<string>();
    users.set(response.id, userSet);
    nested.set(response.id, groupSet);
    const body = response.body as { value?: unknown[]; "@odata.nextLink"?: string };
    const addPage = (items: unknown[]) => {
      for (const item of items) {
        const parsed = directoryObjectSchema.safeParse(item);
        if (!parsed.success) continue;
        const type = parsed.data["@odata.type"] ?? USER_TYPE;
        if (type === USER_TYPE) userSet.add(parsed.data.id);
        else if (type === GROUP_TYPE) groupSet.add(parsed.data.id);
      }
    };
    addPage(body.value ?? []);
    const next = body["@odata.nextLink"];
    // Large groups page on; several groups' pages are read at once, each group's in order.
    if (next)
      rest.push(
        limit(async () => {
          for await (const page of graph.pages<unknown>(next)) addPage(page.items);
        }),
      );
  }
  await Promise.all(rest);
  return { users, nested };
}
