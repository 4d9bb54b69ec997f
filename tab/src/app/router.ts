import { useMemo, useSyncExternalStore } from "react";

/**
 * A small hash router: `#/path/segments?query`. Hash routes survive being embedded in Teams (the
 * manifest's contentUrl is index.html#/) and need nothing from the server.
 */
export type Route =
  | { name: "home" }
  | { name: "connect" }
  | { name: "configure" }
  | { name: "consent-done"; ok: boolean; error?: string }
  | { name: "settings"; connectionId: string }
  | { name: "run"; taskId: string }
  | { name: "history"; query: Record<string, string> }
  | { name: "task"; taskId: string; query: Record<string, string> }
  | { name: "profiles"; query: Record<string, string> }
  | { name: "lists"; query: Record<string, string> }
  | { name: "profile"; id: string }
  | { name: "list"; id: string; query: Record<string, string> }
  | { name: "why"; who: string }
  | { name: "audit" }
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
  if (a === "run" && b && n === 2) return { name: "run", taskId: b };
  if (a === "history" && n === 1) return { name: "history", query };
  if (a === "history" && b && n === 2) return { name: "task", taskId: b, query };
  if (a === "directory" && (n === 1 || (b === "profiles" && n === 2))) return { name: "profiles", query };
  if (a === "directory" && b === "lists" && n === 2) return { name: "lists", query };
  if (a === "directory" && b === "profiles" && c && n === 3) return { name: "profile", id: c };
  if (a === "directory" && b === "lists" && c && n === 3) return { name: "list", id: c, query };
  if (a === "why" && n === 1) return { name: "why", who: query.who ?? "" };
  if (a === "audit" && n === 1) return { name: "audit" };
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
    case "not-found":
      return `#${route.path}`;
  }
}

/** Goes to a route. `replace` keeps the history entry (for filters typed into a search box). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const target = href(route);
  if (options.replace) {
    const url = new URL(window.location.href);
    url.hash = target;
    window.history.replaceState(window.history.state, "", url);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    window.location.hash = target;
  }
}

const subscribe = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
};
const snapshot = () => window.location.hash;

/** The current route; re-renders on every hash change. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, snapshot, () => "");
  return useMemo(() => parseHash(hash), [hash]);
}
