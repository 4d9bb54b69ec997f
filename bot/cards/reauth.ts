import type { ConnectionView, ProblemView } from "../views.ts";
import { type AdaptiveCard, adaptiveCard, facts, heading, openUrl, plain, text } from "./card.ts";
import { when } from "./format.ts";
import type { Links } from "./links.ts";
import { scheduleText } from "./schedule.ts";

/** How the connection signs in: an app's secret has no admin behind it, a delegated consent has one. */
function credentialFacts(connection: ConnectionView): Array<[string, string | undefined]> {
  const credential = connection.credential;
  switch (credential.kind) {
    case "app-secret":
      return [
        [
          "Signs in with",
          `The client secret${credential.secretHint ? ` ${plain(credential.secretHint)}` : ""} of app ${credential.clientId ?? "(no app id on record)"}`,
        ],
      ];
    case "admin-consent":
      return [
        [
          "Authorized by",
          credential.adminUpn ? plain(credential.adminUpn) : "Nobody yet: consent was never completed",
        ],
        ["Authorized on", when(credential.consentedAt)],
      ];
    case "scim":
      return [["Signs in with", "The provisioning service's bearer token"]];
  }
}

function consentFacts(connection: ConnectionView, since: string | undefined) {
  return facts([
    ["Connection", plain(connection.name)],
    ...credentialFacts(connection),
    ["Since", when(since)],
  ]);
}

/** The connection's credentials stopped working: syncs fail until an admin signs in again. */
export function reauthCard(connection: ConnectionView, links: Links, problem?: ProblemView): AdaptiveCard {
  const cause = problem ?? connection.statusProblem;
  return adaptiveCard(
    [
      heading("Reauthorization needed", "Attention"),
      text(cause?.message ?? "Microsoft Entra ID no longer accepts this connection's sign-in."),
      text(
        `**What to do:** ${cause?.remedy ?? "An admin opens the connection and signs in again to renew consent."}`,
      ),
      text(`Schedule: ${scheduleText(connection)}. Nothing is deleted meanwhile.`, { subtle: true }),
      consentFacts(connection, connection.statusProblem?.since),
    ],
    { actions: [openUrl("Reauthorize", links.connection(connection.id))] },
  );
}

/** The consenting admin left or lost their role: still working, but the sign-in will break. */
export function adminWarningCard(
  connection: ConnectionView,
  links: Links,
  problem?: ProblemView,
): AdaptiveCard {
  const cause = problem ?? connection.warning;
  return adaptiveCard(
    [
      heading("This connection will stop working soon", "Warning"),
      text(
        cause?.message ??
          "The admin who authorized this connection has left or no longer holds an admin role.",
      ),
      text(
        `**What to do:** ${cause?.remedy ?? "Another admin reauthorizes the connection now, before syncs start failing."}`,
      ),
      consentFacts(connection, connection.warning?.since),
    ],
    { actions: [openUrl("Reauthorize", links.connection(connection.id))] },
  );
}
