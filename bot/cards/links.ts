import { href, type Route } from "../../api/contract/tab-routes.ts";

/** Where "View details" and "Reauthorize" buttons lead: the tab, inside Teams when the app id is known. */
export interface LinkSettings {
  /** Base URL of the tab and API, e.g. https://sync.contoso.com. */
  publicUrl: string;
  /** The Teams app id (manifest "id"); without it links open the standalone web app. */
  teamsAppId?: string;
  /** entityId of the personal static tab in the manifest. */
  tabEntityId?: string;
}

export interface Links {
  task(taskId: string): string;
  tasks(): string;
  connection(connectionId: string): string;
  home(): string;
}

const DEFAULT_ENTITY_ID = "directory-sync";

/**
 * Card links are the tab's own addresses (api/contract/tab-routes.ts), so a page renamed there cannot leave a card
 * pointing at "Page not found". A Teams deep link opens the app's personal tab and passes the address without
 * its `#/` as `subEntityId` (the tab reads it back from `app.getContext().page.subPageId`); `webUrl` is where
 * clients without the app land instead.
 */
export function createLinks(settings: LinkSettings): Links {
  const base = settings.publicUrl.replace(/\/+$/, "");
  const link = (route: Route) => {
    const page = href(route).replace(/^#\//, "");
    const web = `${base}/#/${page}`;
    if (!settings.teamsAppId) return web;
    const entityId = encodeURIComponent(settings.tabEntityId ?? DEFAULT_ENTITY_ID);
    // encodeURIComponent rather than URLSearchParams: Teams expects %20, not "+", in deep links.
    const query = [
      `webUrl=${encodeURIComponent(web)}`,
      `label=${encodeURIComponent("Directory Sync")}`,
      `context=${encodeURIComponent(JSON.stringify({ subEntityId: page }))}`,
    ].join("&");
    return `https://teams.microsoft.com/l/entity/${encodeURIComponent(settings.teamsAppId)}/${entityId}?${query}`;
  };
  return {
    task: (taskId) => link({ name: "task", taskId, query: {} }),
    tasks: () => link({ name: "history", query: {} }),
    connection: (connectionId) => link({ name: "settings", connectionId }),
    home: () => link({ name: "home" }),
  };
}
