import { describe, expect, it } from "vitest";
import { createLinks } from "../../bot/cards/links.ts";
import { parseHash, routeFromSubPage, startingHash } from "../../tab/src/app/router.ts";

describe("the page a Teams deep link opens", () => {
  const links = createLinks({ publicUrl: "https://sync.example.test", teamsAppId: "app-id" });
  const subPageOf = (link: string) =>
    (JSON.parse(new URL(link).searchParams.get("context") ?? "{}") as { subEntityId: string }).subEntityId;

  it("opens the page each card link names, by the subPageId Teams hands the tab", () => {
    expect(startingHash("#/", subPageOf(links.task("t 1")))).toBe("#/history/t%201");
    expect(startingHash("", subPageOf(links.tasks()))).toBe("#/history");
    expect(startingHash("#/", subPageOf(links.connection("c1")))).toBe("#/connections/c1/settings");
    expect(startingHash("#/", subPageOf(links.home()))).toBeUndefined();
  });

  it("keeps the page the address already names, and ignores pages that do not exist", () => {
    expect(startingHash("#/audit", "history/t1")).toBeUndefined();
    expect(startingHash("#/", "no/such/page")).toBeUndefined();
    expect(startingHash("#/", undefined)).toBeUndefined();
  });

  it("still opens the pages cards linked to before they used the tab's addresses", () => {
    expect(routeFromSubPage("tasks/t1")).toEqual(parseHash("#/history/t1"));
    expect(routeFromSubPage("tasks")).toEqual(parseHash("#/history"));
    expect(routeFromSubPage("connections/c1")).toEqual(parseHash("#/connections/c1/settings"));
  });
});
