import type { ConnectionDoc, Problem } from "../../api/store/documents.ts";
import { type AdaptiveCard, adaptiveCard, facts, heading, openUrl, plain, text } from "./card.ts";
import { when } from "./format.ts";
import type { Links } from "./links.ts";

function consentFacts(connection: ConnectionDoc, since: string | undefined) {
  return facts([
    ["Connection", plain(connection.name)],
    ["Authorized by", connection.consent ? plain(connection.consent.adminUpn) : "nobody on record"],
    ["Authorized on", when(connection.consent?.consentedAt)],
    ["Since", when(since)],
  ]);
}

/** The connection's credentials stopped working: syncs fail until an admin signs in again. */
export function reauthCard(connection: ConnectionDoc, links: Links, problem?: Problem): AdaptiveCard {
  const cause = problem ?? connection.statusProblem;
  return adaptiveCard(
    [
      heading("Reauthorization needed", "Attention"),
      text(cause?.message ?? "Microsoft Entra ID no longer accepts this connection's sign-in."),
      text(
        `**What to do:** ${cause?.remedy ?? "An admin opens the connection and signs in again to renew consent."}`,
      ),
      text("Scheduled syncs are paused for this connection until then; nothing is deleted.", {
        subtle: true,
      }),
      consentFacts(connection, connection.statusProblem?.since),
    ],
    { actions: [openUrl("Reauthorize", links.connection(connection.id))] },
  );
}

/** The consenting admin left or lost their role: still working, but the sign-in will break. */
export function adminWarningCard(connection: ConnectionDoc, links: Links, problem?: Problem): AdaptiveCard {
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
