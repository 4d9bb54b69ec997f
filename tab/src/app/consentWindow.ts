/**
 * Admin consent outside Teams: a pop-up window on the API's consent URL. The consent callback ends on the
 * tab's `#/consent-done` page, which posts the outcome back here and closes itself.
 */
const CONSENT_MESSAGE = "entra-sync:consent-done";

/** What the API's consent callback codes (`#/consent-done?ok=0&error=<code>`) mean, in words. */
const CONSENT_ERRORS: Record<string, string> = {
  "consent-declined": "Consent was declined, or the account may not grant admin consent.",
  "consent-failed": "Entra ID did not complete the consent.",
  "consent-mismatch": "The consent was given for another organization.",
  "wrong-tenant": "You signed in to another organization than the connection's.",
  "wrong-account":
    "You signed in as a different account than the one that started authorizing the connection: sign in with that account, or start again from Directory Sync signed in as the account that should authorize it.",
  "state-used": "This consent link was already used or replaced by a newer one.",
  "state-invalid": "The consent link expired.",
  "state-missing": "The consent answer was incomplete.",
  "code-missing": "The sign-in answer was incomplete.",
  "no-refresh-token": "Entra ID did not allow offline access.",
};

export const consentErrorText = (code: string | undefined): string =>
  (code && CONSENT_ERRORS[code]) || "The consent was cancelled or refused.";

export interface ConsentOutcome {
  ok: boolean;
  /** The window was closed without reporting back: the outcome is unknown, so callers check again. */
  closed?: boolean;
  detail?: string;
}

export function openConsentWindow(url: string): Promise<ConsentOutcome> {
  const popup = window.open(url, "entra-consent", "popup,width=600,height=720");
  if (!popup)
    return Promise.resolve({
      ok: false,
      detail: "Your browser blocked the consent window. Allow pop-ups for this site and try again.",
    });
  return new Promise((resolve) => {
    const done = (outcome: ConsentOutcome) => {
      window.removeEventListener("message", onMessage);
      clearInterval(timer);
      resolve(outcome);
    };
    const onMessage = (e: MessageEvent) => {
      const data = e.data as { type?: string; ok?: boolean; detail?: string } | null;
      if (e.origin !== window.location.origin || data?.type !== CONSENT_MESSAGE) return;
      done({ ok: !!data.ok, ...(data.detail ? { detail: data.detail } : {}) });
    };
    window.addEventListener("message", onMessage);
    const timer = setInterval(() => {
      if (popup.closed)
        done({ ok: false, detail: "The consent window was closed before consent was granted." });
    }, 500);
  });
}

/** On the `#/consent-done` page inside a pop-up: tell the opener. Returns false when there is no opener. */
export function reportToOpener(outcome: ConsentOutcome): boolean {
  const opener = window.opener as Window | null;
  if (!opener || opener === window) return false;
  try {
    // Teams' own pop-up has Teams as its opener (another origin): that one is answered through teams-js.
    if (opener.location.origin !== window.location.origin) return false;
  } catch {
    return false;
  }
  opener.postMessage({ type: CONSENT_MESSAGE, ...outcome }, window.location.origin);
  window.close();
  return true;
}
