import { createRoot } from "react-dom/client";
import { App } from "./app/App.tsx";
import { consentErrorText, reportToOpener } from "./app/consentWindow.ts";
import { parseHash, startingHash } from "./app/router.ts";
import { connectTeams, finishTeamsPopup } from "./teams/host.ts";

async function start() {
  const route = parseHash(window.location.hash);
  if (route.name === "consent-done") {
    // The consent pop-up: hand the outcome to whoever opened it; only render if nobody did.
    const detail = route.ok ? "consented" : consentErrorText(route.error);
    if (reportToOpener({ ok: route.ok, detail })) return;
    if (window.opener && (await finishTeamsPopup(route.ok, detail))) return;
  }
  const teams = await connectTeams();
  // A card's "View details" in Teams opens the tab with the page as subPageId, not in the address.
  const deepLinked = startingHash(window.location.hash, teams?.subPageId);
  if (deepLinked) window.history.replaceState(window.history.state, "", deepLinked);
  const root = document.getElementById("root");
  if (root) createRoot(root).render(<App teams={teams} />);
}

void start();
