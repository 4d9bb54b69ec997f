import { parseHash, type Route, routeFromSubPage } from "../../../api/contract/tab-routes.ts";

/** Every address a card can open: Action.OpenUrl buttons and markdown links in its text, at any depth. */
export function cardLinks(card: unknown): string[] {
  const out: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    else if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (record.type === "Action.OpenUrl" && typeof record.url === "string") out.push(record.url);
      if (typeof record.text === "string")
        for (const match of record.text.matchAll(/\]\(([^)\s]+)\)/g)) out.push(match[1] as string);
      for (const value of Object.values(record)) visit(value);
    }
  };
  visit(card);
  return out;
}

/**
 * The tab page a card link opens, read the way the tab reads it: a web link by its hash, a Teams deep link by
 * the subEntityId that Teams hands the tab as `page.subPageId` (and its webUrl must name the same page).
 */
export function routeOfLink(link: string): Route {
  const url = new URL(link);
  if (url.hostname !== "teams.microsoft.com") return parseHash(url.hash);
  const context = JSON.parse(url.searchParams.get("context") ?? "{}") as { subEntityId?: string };
  const route = routeFromSubPage(context.subEntityId) ?? { name: "home" };
  const web = parseHash(new URL(url.searchParams.get("webUrl") ?? "").hash);
  if (JSON.stringify(web) !== JSON.stringify(route))
    throw new Error(
      `deep link ${link} opens ${JSON.stringify(route)} in Teams but ${JSON.stringify(web)} on the web`,
    );
  return route;
}
