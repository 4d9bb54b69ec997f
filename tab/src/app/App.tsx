import {
  FluentProvider,
  makeStaticStyles,
  makeStyles,
  Toast,
  Toaster,
  ToastTitle,
  useId,
  useToastController,
} from "@fluentui/react-components";
import { useCallback, useMemo } from "react";
import { ApiClient } from "../api/client.ts";
import { ScreenErrorBoundary } from "../components/ScreenErrorBoundary.tsx";
import { Loaded } from "../components/States.tsx";
import { SignIn } from "../screens/SignIn.tsx";
import type { TeamsHost } from "../teams/host.ts";
import { openConsentWindow } from "./consentWindow.ts";
import { Routes } from "./Routes.tsx";
import { type Route, useRoute } from "./router.ts";
import { Shell } from "./Shell.tsx";
import { useScreenFocus } from "./screenFocus.ts";
import { type Session, SessionProvider } from "./session.tsx";
import { THEMES, useThemeName } from "./theme.ts";
import { useLoad } from "./useLoad.ts";

const useGlobalStyles = makeStaticStyles({
  "html, body, #root": { margin: 0, padding: 0, minHeight: "100%", height: "100%" },
});

/**
 * Toasts sit at the foot of the navigation column, which holds no control there: at the bottom right they
 * covered the settings page's sticky Save button. The width is the column's (220 px) less the offsets.
 */
const TOAST_OFFSET = 12;
const useToasterStyles = makeStyles({
  toaster: { width: `${220 - 2 * TOAST_OFFSET}px` },
});

export function App({ teams }: { teams: TeamsHost | null }) {
  useGlobalStyles();
  const toasterStyles = useToasterStyles();
  const themeName = useThemeName(teams);
  const toasterId = useId("toaster");
  const { dispatchToast } = useToastController(toasterId);
  const client = useMemo(() => new ApiClient(teams ? { getToken: teams.getToken } : {}), [teams]);
  const me = useLoad(() => client.me(), [client]);

  const notify = useCallback<Session["notify"]>(
    (message, intent = "success") =>
      dispatchToast(
        <Toast>
          <ToastTitle>{message}</ToastTitle>
        </Toast>,
        { intent, politeness: intent === "error" ? "assertive" : "polite" },
      ),
    [dispatchToast],
  );

  const openConsent = useCallback<Session["openConsent"]>(
    async (url) => {
      if (!teams) return openConsentWindow(url);
      try {
        return { ok: true, detail: await teams.authenticate(url) };
      } catch (err) {
        // Teams rejects with "CancelledByUser" when the window is closed, which is also how a consent page
        // that cannot call notifySuccess ends: treat it as "unknown" so the caller checks again.
        const detail = err instanceof Error ? err.message : String(err);
        return /cancel/i.test(detail) ? { ok: false, closed: true, detail } : { ok: false, detail };
      }
    },
    [teams],
  );

  const signedOut = me.state === "error" && me.error.status === 401;
  return (
    <FluentProvider theme={THEMES[themeName]} data-theme={themeName} style={{ minHeight: "100%" }}>
      {signedOut && !teams ? (
        <SignIn />
      ) : (
        <Loaded load={me} label="Signing in…">
          {(user) => (
            <SessionProvider value={{ client, me: user, inTeams: !!teams, openConsent, notify }}>
              <Shell>
                <RoutedScreen />
              </Shell>
            </SessionProvider>
          )}
        </Loaded>
      )}
      <Toaster
        toasterId={toasterId}
        position="bottom-start"
        offset={{ horizontal: TOAST_OFFSET, vertical: TOAST_OFFSET }}
        className={toasterStyles.toaster}
      />
    </FluentProvider>
  );
}

/**
 * A screen's identity without its query: a search or filter kept in the query changes the route but not
 * the screen, and remounting the screen for it would drop the text being typed and the focus with it.
 */
function screenKey(route: Route): string {
  const { query: _query, ...identity } = route as Route & { query?: unknown };
  return JSON.stringify(identity);
}

/** The current screen, behind a boundary that a change of screen resets. */
function RoutedScreen() {
  const route = useRoute();
  useScreenFocus(screenKey(route));
  return (
    <ScreenErrorBoundary key={screenKey(route)}>
      <Routes />
    </ScreenErrorBoundary>
  );
}
