import { useMemo, useSyncExternalStore } from "react";
import { href, parseHash, type Route } from "../../../api/contract/tab-routes.ts";

export {
  href,
  parseHash,
  type Route,
  type RouteName,
  routeFromSubPage,
  startingHash,
} from "../../../api/contract/tab-routes.ts";

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
