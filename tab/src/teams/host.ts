/**
 * Everything the tab needs from Teams, behind one small interface so screens never import teams-js or TeamsFx.
 * The SSO token comes from TeamsFx's `TeamsUserCredential` (`@microsoft/teamsfx`, the SDK on the product's
 * design card): it asks Teams for the token, checks that it is an Entra token (its version and expiry claims) and
 * keeps it until five minutes before it expires, so screens loading at once ask Teams once. TeamsFx is
 * deprecated in favour of the Microsoft 365 Agents SDK; this file is the only one that imports it, so moving
 * to its successor (or to teams-js alone) changes nothing else. The consent pop-up and the theme come from
 * teams-js directly: TeamsFx adds nothing there.
 */
export type TeamsTheme = "default" | "dark" | "contrast";

export interface TeamsHost {
  theme: TeamsTheme;
  onThemeChange(handler: (theme: TeamsTheme) => void): void;
  getToken(): Promise<string>;
  /** Opens `url` in the Teams authentication pop-up; resolves when the page calls notifySuccess. */
  authenticate(url: string): Promise<string>;
  /** The page a deep link asked for (its context's `subEntityId`), e.g. "history/<task id>" from a bot card. */
  subPageId?: string;
}

const toTeamsTheme = (t: string | undefined): TeamsTheme =>
  t === "dark" ? "dark" : t === "contrast" ? "contrast" : "default";

/** True when the page may be hosted by Teams: framed, in a Teams native webview, or told so by the URL. */
function mayBeInTeams(w: Window = window): boolean {
  const framed = (() => {
    try {
      return w.self !== w.top;
    } catch {
      return true;
    }
  })();
  const native = "nativeInterface" in w;
  const hinted = new URLSearchParams(w.location.search).get("host") === "teams";
  return framed || native || hinted;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Teams did not answer")), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * teams-js is loaded only when the page may be in Teams: standalone it is never needed, and merely loading
 * it makes the library fetch its list of valid domains from Microsoft's CDN.
 */
const teamsJs = () => import("@microsoft/teams-js");

/**
 * TeamsFx is loaded with teams-js, for the same reason: standalone the tab signs in with its own session and
 * never needs TeamsFx's code (or the MSAL library it brings).
 */
async function teamsSsoToken(): Promise<() => Promise<string>> {
  const { TeamsUserCredential } = await import("@microsoft/teamsfx");
  // TeamsFx insists on both settings, but reads them only for its own sign-in pop-up and for tokens of
  // other scopes, neither of which the tab uses: the API exchanges the SSO token on behalf of the user and
  // runs admin consent itself. They name the tab's own sign-in so that a wrong use fails visibly.
  const credential = new TeamsUserCredential({
    clientId: "teams-sso-token-only",
    initiateLoginEndpoint: new URL("/auth/login", window.location.origin).href,
  });
  return async () => {
    const sso = await credential.getToken("");
    if (!sso) throw new Error("Teams gave no sign-in token: reopen the tab in Teams.");
    return sso.token;
  };
}

/** Connects to Teams when hosted by it; null when the page runs standalone in a browser. */
export async function connectTeams(timeoutMs = 5000): Promise<TeamsHost | null> {
  if (!mayBeInTeams()) return null;
  const [{ app, authentication }, getToken] = await Promise.all([teamsJs(), teamsSsoToken()]);
  try {
    await withTimeout(app.initialize(), timeoutMs);
  } catch {
    return null;
  }
  const context = await app.getContext().catch(() => undefined);
  app.notifySuccess();
  return {
    theme: toTeamsTheme(context?.app.theme),
    onThemeChange: (handler) => app.registerOnThemeChangeHandler((t) => handler(toTeamsTheme(t))),
    getToken,
    authenticate: (url) => authentication.authenticate({ url, width: 600, height: 720 }),
    ...(context?.page.subPageId ? { subPageId: context.page.subPageId } : {}),
  };
}

/** In the consent pop-up Teams opened: report the outcome back to the tab that opened it. */
export async function finishTeamsPopup(ok: boolean, detail: string): Promise<boolean> {
  const { app, authentication } = await teamsJs();
  try {
    await withTimeout(app.initialize(), 3000);
  } catch {
    return false;
  }
  if (ok) authentication.notifySuccess(detail);
  else authentication.notifyFailure(detail);
  return true;
}

/** The channel tab's configuration page: one click, the tab always shows the same app. */
export async function enableTabConfiguration(contentUrl: string): Promise<void> {
  const { pages } = await teamsJs();
  pages.config.registerOnSaveHandler((save) => {
    pages.config
      .setConfig({
        contentUrl,
        websiteUrl: contentUrl,
        entityId: "directory-sync",
        suggestedDisplayName: "Directory Sync",
      })
      .then(() => save.notifySuccess())
      .catch((err: unknown) =>
        save.notifyFailure(err instanceof Error ? err.message : "Could not save the tab"),
      );
  });
  pages.config.setValidityState(true);
}
