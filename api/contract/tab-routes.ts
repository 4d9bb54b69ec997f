/**
 * The tab's pages and their `#/…` addresses: the one definition of them, with no React or DOM in it, so the
 * bot's card links (bot/cards/links.ts) are built from the same table the tab's router reads. It lives with the
 * API's contract, not in the tab, because the server (which builds the cards) ships without the tab's source.
 * Hash routes (`#/path/segments?query`) survive being embedded in Teams (the manifest's contentUrl is
 * index.html#/) and need nothing from the server.
 */
export type Route =
  | { name: "home" }
  | { name: "connect" }
  | { name: "configure" }
  | { name: "consent-done"; ok: boolean; error?: string }
  | { name: "settings"; connectionId: string }
  | { name: "scim"; connectionId: string }
  | { name: "run"; taskId: string }
  | { name: "history"; query: Record<string, string> }
  | { name: "task"; taskId: string; query: Record<string, string> }
  | { name: "profiles"; query: Record<string, string> }
  | { name: "lists"; query: Record<string, string> }
  | { name: "profile"; id: string }
  | { name: "list"; id: string; query: Record<string, string> }
  | { name: "why"; who: string }
  | { name: "audit" }
  | { name: "api" }
  | { name: "not-found"; path: string };

export type RouteName = Route["name"];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Parses `#/a/b?x=1` (with or without the leading `#`). Unknown paths give `not-found`, never a throw. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, "");
  const [pathPart = "", queryPart = ""] = raw.split("?", 2);
  const segments = pathPart.split("/").filter(Boolean).map(decode);
  const query = Object.fromEntries(new URLSearchParams(queryPart));
  const [a, b, c] = segments;
  const n = segments.length;
  if (n === 0) return { name: "home" };
  if (a === "connect" && n === 1) return { name: "connect" };
  if (a === "configure" && n === 1) return { name: "configure" };
  if (a === "consent-done" && n === 1)
    return { name: "consent-done", ok: query.ok !== "0", ...(query.error ? { error: query.error } : {}) };
  if (a === "connections" && b && c === "settings" && n === 3) return { name: "settings", connectionId: b };
  if (a === "connections" && b && c === "scim" && n === 3) return { name: "scim", connectionId: b };
  if (a === "run" && b && n === 2) return { name: "run", taskId: b };
  if (a === "history" && n === 1) return { name: "history", query };
  if (a === "history" && b && n === 2) return { name: "task", taskId: b, query };
  if (a === "directory" && (n === 1 || (b === "profiles" && n === 2))) return { name: "profiles", query };
  if (a === "directory" && b === "lists" && n === 2) return { name: "lists", query };
  if (a === "directory" && b === "profiles" && c && n === 3) return { name: "profile", id: c };
  if (a === "directory" && b === "lists" && c && n === 3) return { name: "list", id: c, query };
  if (a === "why" && n === 1) return { name: "why", who: query.who ?? "" };
  if (a === "audit" && n === 1) return { name: "audit" };
  if (a === "api" && n === 1) return { name: "api" };
  return { name: "not-found", path: `/${segments.join("/")}` };
}

const seg = encodeURIComponent;

function withQuery(path: string, query: Record<string, string | undefined> | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/** The `#/…` href of a route; parseHash(href(r)) gives r back. */
export function href(route: Route): string {
  switch (route.name) {
    case "home":
      return "#/";
    case "connect":
      return "#/connect";
    case "configure":
      return "#/configure";
    case "consent-done":
      return withQuery("#/consent-done", { ok: route.ok ? "1" : "0", error: route.error });
    case "settings":
      return `#/connections/${seg(route.connectionId)}/settings`;
    case "scim":
      return `#/connections/${seg(route.connectionId)}/scim`;
    case "run":
      return `#/run/${seg(route.taskId)}`;
    case "history":
      return withQuery("#/history", route.query);
    case "task":
      return withQuery(`#/history/${seg(route.taskId)}`, route.query);
    case "profiles":
      return withQuery("#/directory/profiles", route.query);
    case "lists":
      return withQuery("#/directory/lists", route.query);
    case "profile":
      return `#/directory/profiles/${seg(route.id)}`;
    case "list":
      return withQuery(`#/directory/lists/${seg(route.id)}`, route.query);
    case "why":
      return withQuery("#/why", { who: route.who });
    case "audit":
      return "#/audit";
    case "api":
      return "#/api";
    case "not-found":
      return `#${route.path}`;
  }
}

/**
 * The page a Teams deep link asks for. Card links carry the page's address without its `#` as the context's
 * `subEntityId`, which Teams hands the tab as `page.subPageId`; "tasks/…" is what cards sent before the
 * addresses were shared and still sits in old chat messages.
 */
export function routeFromSubPage(subPageId: string | undefined): Route | undefined {
  if (!subPageId) return undefined;
  const route = parseHash(`#/${subPageId.replace(/^#?\/?/, "")}`);
  if (route.name !== "not-found") return route;
  const [kind, id] = route.path.split("/").filter(Boolean);
  if (kind === "tasks") return id ? { name: "task", taskId: id, query: {} } : { name: "history", query: {} };
  if (kind === "connections" && id) return { name: "settings", connectionId: id };
  return route;
}

/**
 * Where the tab opens: the page a Teams deep link named, unless the address already names a page (a reload
 * inside Teams keeps the page the admin moved to since).
 */
export function startingHash(currentHash: string, subPageId: string | undefined): string | undefined {
  if (parseHash(currentHash).name !== "home") return undefined;
  const route = routeFromSubPage(subPageId);
  return route && route.name !== "home" && route.name !== "not-found" ? href(route) : undefined;
}
