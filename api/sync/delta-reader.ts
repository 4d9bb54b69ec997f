import type { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import { type GraphGroup, type GraphUser, graphGroupSchema, graphUserSchema } from "./graph-types.ts";

/** Delta ignores $top; the page size is asked for with Prefer, as Graph documents. */
export const DELTA_PAGE = { Prefer: "odata.maxpagesize=999" };

/** An incremental run cannot go on; the task runs as a full sync instead and notes the reason. */
export class FullSyncNeeded extends Error {}

class DeltaExpired extends FullSyncNeeded {
  constructor() {
    super("the delta link expired (Graph answered syncStateNotFound)");
  }
}

interface MemberChange {
  isGroup: boolean;
  removed: boolean;
}

export interface GroupChange {
  group: GraphGroup;
  /** Direct member changes (members@delta) seen for the group across all pages; the last one per id wins. */
  members: Map<string, MemberChange>;
  membersChanged: boolean;
}

/**
 * Follows a delta link to its end. Objects may appear on several pages (members@delta of one group is
 * spread over pages in any order), so changes are merged by id; the last state of an object wins.
 */
export async function readDelta<T>(
  graph: GraphApi,
  deltaLink: string,
  parse: (item: unknown) => [id: string, value: T] | undefined,
  merge: (previous: T, next: T) => T = (_p, n) => n,
): Promise<{ changes: Map<string, T>; deltaLink: string }> {
  const changes = new Map<string, T>();
  let next = deltaLink;
  try {
    for await (const page of graph.pages<unknown>(deltaLink, DELTA_PAGE)) {
      for (const item of page.items) {
        const parsed = parse(item);
        if (!parsed) continue;
        const [id, value] = parsed;
        const previous = changes.get(id);
        changes.set(id, previous ? merge(previous, value) : value);
      }
      if (page.deltaLink) next = page.deltaLink;
    }
  } catch (err) {
    if (
      isDirectoryProblem(err) &&
      (err.status === 410 || /syncStateNotFound|resyncRequired/i.test(err.graphCode ?? ""))
    )
      throw new DeltaExpired();
    throw err;
  }
  return { changes, deltaLink: next };
}

export const parseUserChange = (item: unknown): [string, GraphUser] | undefined => {
  const parsed = graphUserSchema.safeParse(item);
  return parsed.success ? [parsed.data.id, parsed.data] : undefined;
};

export const parseGroupChange = (item: unknown): [string, GroupChange] | undefined => {
  const parsed = graphGroupSchema.safeParse(item);
  if (!parsed.success) return undefined;
  const members = new Map<string, MemberChange>();
  for (const m of parsed.data["members@delta"] ?? [])
    members.set(m.id, {
      isGroup: m["@odata.type"] === "#microsoft.graph.group",
      removed: m["@removed"] !== undefined,
    });
  return [parsed.data.id, { group: parsed.data, members, membersChanged: members.size > 0 }];
};

export const mergeGroupChange = (a: GroupChange, b: GroupChange): GroupChange => {
  const members = new Map([...a.members, ...b.members]);
  return { group: { ...a.group, ...b.group }, members, membersChanged: members.size > 0 };
};
