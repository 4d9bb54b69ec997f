import type { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import type { PermissionCheck } from "./permissions.ts";

/** How long before a client secret expires the connection test starts warning. */
const SECRET_WARNING_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

interface PasswordCredential {
  hint?: string | null;
  endDateTime?: string | null;
}

/**
 * When the connection's client secret expires, read from its own app registration: Graph lists the app's
 * secrets with their first three characters (`hint`) and end date, so the one in use is the one whose hint
 * matches. Undefined when the registration has no matching secret (it was removed in Entra ID).
 */
async function readSecretExpiry(
  graph: GraphApi,
  clientId: string,
  secret: string,
): Promise<string | undefined> {
  const app = await graph.get<{ passwordCredentials?: PasswordCredential[] }>(
    `/applications(appId='${encodeURIComponent(clientId)}')?$select=passwordCredentials`,
  );
  const hint = secret.slice(0, 3);
  // Several secrets may share a hint: the latest end date is the optimistic reading, and one that is
  // already past would have failed the token request before this is asked.
  return (app.passwordCredentials ?? [])
    .filter((c) => c.hint === hint && c.endDateTime)
    .map((c) => new Date(c.endDateTime as string).toISOString())
    .sort()
    .at(-1);
}

/**
 * The connection test's line about the secret's expiry: granted with the date, a warning (still passing)
 * within SECRET_WARNING_DAYS, or the optional permission reported missing when Graph refuses to say.
 */
export async function secretExpiryCheck(
  graph: GraphApi,
  clientId: string,
  secret: string,
  now: number,
): Promise<{ check: PermissionCheck; expiresAt?: string }> {
  const permission = "Application.Read.All";
  try {
    const expiresAt = await readSecretExpiry(graph, clientId, secret);
    if (!expiresAt)
      return {
        check: {
          permission,
          status: "granted",
          detail:
            "The app registration lists no secret matching this one, so its expiry is unknown. Check the app's Certificates & secrets in Entra ID.",
          optional: true,
        },
      };
    const date = expiresAt.slice(0, 10);
    const days = Math.floor((Date.parse(expiresAt) - now) / DAY_MS);
    const detail =
      days < SECRET_WARNING_DAYS
        ? `The client secret expires on ${date} (in ${Math.max(days, 0)} days): syncing stops then. Add a new client secret to the app registration in Entra ID and save it in this connection's settings before then.`
        : `The client secret expires on ${date}.`;
    return { check: { permission, status: "granted", detail, optional: true }, expiresAt };
  } catch (err) {
    if (isDirectoryProblem(err, "not-found"))
      return {
        check: {
          permission,
          status: "granted",
          detail:
            "The app is registered in another tenant, so this tenant cannot read when its client secret expires. Check the app's Certificates & secrets in its home tenant.",
          optional: true,
        },
      };
    if (isDirectoryProblem(err, "permission-missing"))
      return {
        check: {
          permission,
          status: "missing",
          detail: `Microsoft Graph did not let the connection read its own app registration: grant ${permission} and admin consent; without it the tab cannot warn before the client secret expires. Syncing does not need it.`,
          optional: true,
        },
      };
    throw err;
  }
}
