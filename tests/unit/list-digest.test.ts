import { describe, expect, it } from "vitest";
import { EMPTY_DIGEST, membershipOf, toggleMembers } from "../../api/sync/list-docs.ts";

describe("a list's member digest", () => {
  it("does not depend on the order of members", () => {
    expect(membershipOf(["a", "b", "c"])).toEqual(membershipOf(["c", "a", "b"]));
  });

  it("follows single changes to the same value a full recount gives", () => {
    const before = membershipOf(["a", "b", "c"]);
    const added = toggleMembers(before.digest, ["d"]);
    expect(added).toBe(membershipOf(["a", "b", "c", "d"]).digest);
    expect(toggleMembers(added, ["a", "d"])).toBe(membershipOf(["b", "c"]).digest);
  });

  it("tells different sets apart, and the empty set is all zeros", () => {
    expect(membershipOf(["a", "b"]).digest).not.toBe(membershipOf(["a", "c"]).digest);
    expect(membershipOf([]).digest).toBe(EMPTY_DIGEST);
    expect(toggleMembers(toggleMembers(EMPTY_DIGEST, ["x"]), ["x"])).toBe(EMPTY_DIGEST);
  });
});
