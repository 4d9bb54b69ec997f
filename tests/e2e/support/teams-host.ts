import { readFile } from "node:fs/promises";
import type { BrowserContext, Frame, FrameLocator, Page } from "playwright-core";

/**
 * A local stand-in for the Teams web client. Its page is answered by the test at Teams' own origin (nothing
 * goes to the network), because teams-js only listens to hosts on its list of Microsoft origins and the API's
 * CSP only lets those frame the tab.
 */
const TEAMS_HOST_URL = "https://teams.microsoft.com/_stand-in/app";
const HOST_SCRIPT_URL = "https://teams.microsoft.com/_stand-in/host.js";
const HOST_SCRIPT = new URL("./teams-host-page.js", import.meta.url);

/** teams-js asks Microsoft's CDN for the current list of host origins; refused, it uses its built-in list. */
const TEAMS_JS_CDN = "https://res.cdn.office.net/**";

const TOKEN_BINDING = "teamsHostIssueToken";

export type TeamsTheme = "default" | "dark" | "contrast";

export interface TeamsUser {
  tenantId: string;
  userObjectId: string;
  upn: string;
}

export interface TeamsHostPage {
  page: Page;
  /** The tab inside the host's iframe. */
  tab: FrameLocator;
  /** The tab's frame, for waiting on its own document. */
  tabFrame(): Promise<Frame>;
  /** The teams-js functions the tab (and its authentication window) called, in order. */
  calls(): Promise<string[]>;
  /** Sends Teams' theme-change event, as when the user switches theme in Teams' settings. */
  setTheme(theme: TeamsTheme): Promise<void>;
}

const prepared = new WeakSet<BrowserContext>();

function hostHtml(config: Record<string, string>): string {
  // `<` escaped so that no value can end the script element.
  const json = JSON.stringify(config).replaceAll("<", "\\u003c");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Microsoft Teams</title>
<style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%;display:block}</style>
</head><body><script type="application/json" id="teams-host-config">${json}</script>
<script src="${HOST_SCRIPT_URL}"></script></body></html>`;
}

/** Opens `tabUrl` (the manifest's contentUrl) in a new page of `context`, inside the Teams stand-in. */
export async function openInTeams(
  context: BrowserContext,
  options: {
    tabUrl: string;
    user: TeamsUser;
    theme: TeamsTheme;
    token: () => Promise<string>;
    /** The page a deep link asked for (its context's subEntityId), handed to the tab as in Teams. */
    subEntityId?: string;
  },
): Promise<TeamsHostPage> {
  if (!prepared.has(context)) {
    prepared.add(context);
    // Context-wide, as the authentication window is a page of its own.
    await context.route(TEAMS_JS_CDN, (route) => route.abort());
    // Chromium asks before a public site frames a loopback address, as it does for a tab run locally.
    await context.grantPermissions(["local-network-access"], { origin: new URL(TEAMS_HOST_URL).origin });
  }
  const page = await context.newPage();
  const html = hostHtml({
    tabUrl: options.tabUrl,
    theme: options.theme,
    tokenBinding: TOKEN_BINDING,
    ...(options.subEntityId ? { subEntityId: options.subEntityId } : {}),
    ...options.user,
  });
  const script = await readFile(HOST_SCRIPT, "utf8");
  await page.route(TEAMS_HOST_URL, (route) => route.fulfill({ contentType: "text/html", body: html }));
  await page.route(HOST_SCRIPT_URL, (route) =>
    route.fulfill({ contentType: "text/javascript", body: script }),
  );
  await page.exposeFunction(TOKEN_BINDING, options.token);
  await page.goto(TEAMS_HOST_URL);
  return {
    page,
    tab: page.frameLocator("iframe"),
    async tabFrame() {
      const frame = await (await page.waitForSelector("iframe")).contentFrame();
      if (!frame) throw new Error("the Teams stand-in has no tab frame");
      return frame;
    },
    calls: () => page.evaluate(() => (window as unknown as { teamsCalls: string[] }).teamsCalls),
    setTheme: (theme) =>
      page.evaluate((t) => (window as unknown as { setTeamsTheme(t: string): void }).setTeamsTheme(t), theme),
  };
}
