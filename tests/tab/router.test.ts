import { describe, expect, it } from "vitest";
import { href, parseHash, type Route } from "../../tab/src/app/router.ts";

describe("hash router", () => {
  it("parses every screen's hash", () => {
    expect(parseHash("")).toEqual({ name: "home" });
    expect(parseHash("#/")).toEqual({ name: "home" });
    expect(parseHash("#/connect")).toEqual({ name: "connect" });
    expect(parseHash("#/connections/c%201/settings")).toEqual({ name: "settings", connectionId: "c 1" });
    expect(parseHash("#/connections/c1/scim")).toEqual({ name: "scim", connectionId: "c1" });
    expect(parseHash("#/run/t1")).toEqual({ name: "run", taskId: "t1" });
    expect(parseHash("#/history?status=failed&type=full")).toEqual({
      name: "history",
      query: { status: "failed", type: "full" },
    });
    expect(parseHash("#/history/t9?q=adele")).toEqual({ name: "task", taskId: "t9", query: { q: "adele" } });
    expect(parseHash("#/directory")).toEqual({ name: "profiles", query: {} });
    expect(parseHash("#/directory/lists?q=sales")).toEqual({ name: "lists", query: { q: "sales" } });
    expect(parseHash("#/directory/profiles/p1")).toEqual({ name: "profile", id: "p1" });
    expect(parseHash("#/why?who=a%40b.com")).toEqual({ name: "why", who: "a@b.com" });
    expect(parseHash("#/consent-done?ok=0&error=denied")).toEqual({
      name: "consent-done",
      ok: false,
      error: "denied",
    });
  });

  it("answers not-found for unknown paths instead of throwing", () => {
    expect(parseHash("#/nope/deeper")).toEqual({ name: "not-found", path: "/nope/deeper" });
    expect(parseHash("#/run")).toEqual({ name: "not-found", path: "/run" });
    expect(parseHash("#/run/%E0%A4%A")).toEqual({ name: "run", taskId: "%E0%A4%A" });
  });

  it("round-trips routes through href", () => {
    const routes: Route[] = [
      { name: "home" },
      { name: "settings", connectionId: "a/b" },
      { name: "scim", connectionId: "a/b" },
      { name: "task", taskId: "t 1", query: { action: "deleted", q: "x&y" } },
      { name: "history", query: { connectionId: "c1" } },
      { name: "list", id: "l1", query: { name: "Team-Marketing" } },
      { name: "why", who: "adele+test@contoso.com" },
      { name: "audit" },
      { name: "api" },
    ];
    for (const r of routes) expect(parseHash(href(r))).toEqual(r);
  });

  it("leaves empty filters out of the URL", () => {
    expect(href({ name: "why", who: "" })).toBe("#/why");
    expect(href({ name: "history", query: {} })).toBe("#/history");
  });
});
