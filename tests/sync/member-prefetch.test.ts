import { describe, expect, it } from "vitest";
import type { BatchRequest, BatchResponse, GraphApi } from "../../api/graph/client.ts";
import { MemberPrefetch } from "../../api/sync/member-prefetch.ts";

/** Graph's answers for transitive members: group g has the users g-u1 and g-u2. Logs each group it read. */
function fakeGraph(options: { failFirst?: boolean; failAlways?: boolean } = {}) {
  const reads: string[] = [];
  let calls = 0;
  const graph = {
    async batchGet(requests: BatchRequest[]): Promise<BatchResponse[]> {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 2));
      const fail = options.failAlways || (options.failFirst && calls === 1);
      return requests.map((r) => {
        reads.push(r.id);
        if (fail)
          return {
            id: r.id,
            status: 403,
            headers: {},
            body: { error: { code: "Authorization_RequestDenied" } },
          };
        return {
          id: r.id,
          status: 200,
          headers: {},
          body: { value: [{ id: `${r.id}-u1` }, { id: `${r.id}-u2` }] },
        };
      });
    },
    failureOf(response: BatchResponse, path: string) {
      return new Error(`Graph refused ${path} (${response.status})`);
    },
    async *pages() {},
  };
  return { graph: graph as unknown as GraphApi, reads };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 30));
const groups = ["g1", "g2", "g3", "g4", "g5", "g6"];

describe("reading a full sync's list members ahead", () => {
  it("reads nothing until started, then every chunk in order, and answers the lists phase without reading again", async () => {
    const { graph, reads } = fakeGraph();
    const prefetch = new MemberPrefetch(graph, groups, 2);
    await settled();
    expect(reads).toEqual([]);
    prefetch.start();
    await settled();
    expect(reads).toEqual(groups);
    const first = await prefetch.members(["g1", "g2"]);
    expect([...(first.users.get("g1") ?? [])]).toEqual(["g1-u1", "g1-u2"]);
    expect([...(first.users.get("g2") ?? [])]).toEqual(["g2-u1", "g2-u2"]);
    await prefetch.members(["g3", "g4"]);
    await prefetch.members(["g5", "g6"]);
    expect(reads).toEqual(groups);
    await prefetch.close();
  });

  it("holds at most the given number of member ids, and reads on as the lists phase takes them", async () => {
    const { graph, reads } = fakeGraph();
    // Two groups of two members each fill the bound.
    const prefetch = new MemberPrefetch(graph, groups, 2, 4);
    prefetch.start();
    await settled();
    expect(reads).toEqual(["g1", "g2"]);
    await prefetch.members(["g1", "g2"]);
    await settled();
    // The first chunk is still being written: it is done with once the next one is asked for.
    expect(reads).toEqual(["g1", "g2"]);
    await prefetch.members(["g3", "g4"]);
    expect(reads).toEqual(["g1", "g2", "g3", "g4"]);
    const third = prefetch.members(["g5", "g6"]);
    await settled();
    await third;
    expect(reads).toEqual(groups);
    await prefetch.close();
  });

  it("skips what a resumed run does not ask for, and reads directly what was not read ahead", async () => {
    const { graph, reads } = fakeGraph();
    const prefetch = new MemberPrefetch(graph, groups, 2, 4);
    prefetch.start();
    await settled();
    // A resumed run finished g1-g4 before: it asks only for g5 and g6, and for a group outside the plan.
    const rest = await prefetch.members(["g5", "g6", "g9"]);
    expect([...rest.users.keys()]).toEqual(["g5", "g6", "g9"]);
    await settled();
    expect(reads).toEqual(["g1", "g2", "g5", "g6", "g9"]);
    await prefetch.close();
  });

  it("reads again when asked after a failed read ahead, and a lasting failure fails the lists phase", async () => {
    const once = fakeGraph({ failFirst: true });
    const recovering = new MemberPrefetch(once.graph, groups, 2);
    recovering.start();
    await settled();
    // No further reads ahead after a failure.
    expect(once.reads).toEqual(["g1", "g2"]);
    const members = await recovering.members(["g1", "g2"]);
    expect([...(members.users.get("g1") ?? [])]).toEqual(["g1-u1", "g1-u2"]);
    await recovering.close();

    const always = fakeGraph({ failAlways: true });
    const failing = new MemberPrefetch(always.graph, groups, 2);
    failing.start();
    await expect(failing.members(["g1", "g2"])).rejects.toThrow("Graph refused /groups/g1/transitiveMembers");
    await failing.close();
  });

  it("stops reading ahead when closed and waits for the read in flight", async () => {
    const { graph, reads } = fakeGraph();
    const prefetch = new MemberPrefetch(graph, groups, 2);
    prefetch.start();
    await prefetch.close();
    await settled();
    expect(reads).toEqual(["g1", "g2"]);
  });

  it("forgets a chunk the lists phase passed while it was being read, so the bound never fills with it", async () => {
    const { graph, reads } = fakeGraph();
    const prefetch = new MemberPrefetch(graph, groups, 2, 4);
    prefetch.start();
    // Asked for the third chunk while the first is still being read: the first two are passed.
    const third = await prefetch.members(["g5", "g6"]);
    expect([...third.users.keys()]).toEqual(["g5", "g6"]);
    await settled();
    expect(reads).toEqual(["g1", "g2", "g5", "g6"]);
    await prefetch.close();
  });

  it("reads a group named twice with its first chunk, without passing the chunks between", async () => {
    const { graph, reads } = fakeGraph();
    const prefetch = new MemberPrefetch(graph, ["g1", "g2", "g3", "g4", "g1", "g5"], 2, 4);
    prefetch.start();
    await prefetch.members(["g1", "g2"]);
    await prefetch.members(["g3", "g4"]);
    const last = await prefetch.members(["g1", "g5"]);
    expect([...last.users.keys()].sort()).toEqual(["g1", "g5"]);
    await prefetch.close();
    // The second g1 is read again (its first answer was taken), and nothing else twice.
    expect(reads.filter((id) => id !== "g1")).toEqual(["g2", "g3", "g4", "g5"]);
  });
});
