import { DirectoryProblem } from "../graph/problems.ts";

/** The precise reasons a connection's credential stops working; each names who can fix it. */
export type CredentialCause =
  | "secret-expired"
  | "secret-invalid"
  | "app-not-found"
  | "consent-required"
  | "admin-disabled"
  | "admin-deleted"
  | "token-revoked"
  | "token-expired"
  | "interaction-required"
  | "authority-unreachable"
  | "graph-unauthorized";

/**
 * A DirectoryProblem of kind auth-lost / consent-missing that also carries the exact cause, so the
 * connection's status, the event and the bot card can all say what happened.
 */
export class CredentialProblem extends DirectoryProblem {
  constructor(
    kind: "auth-lost" | "consent-missing" | "transient",
    readonly reason: CredentialCause,
    message: string,
    remedy: string,
    /** Who can fix it, for the reauthorization card. */
    readonly fixer: string,
  ) {
    super(kind, message, remedy);
  }
}

interface TokenErrorFields {
  error: string;
  suberror: string;
  codes: number[];
  description: string;
}

/** Reads OAuth error fields from a msal-node error (ServerError / InteractionRequiredAuthError). */
function tokenErrorFields(err: unknown): TokenErrorFields {
  const e = err as {
    errorCode?: string;
    subError?: string;
    errorNo?: string;
    errorMessage?: string;
    message?: string;
  };
  const description = e.errorMessage ?? e.message ?? "";
  const codes = new Set<number>();
  if (e.errorNo && /^\d+$/.test(e.errorNo)) codes.add(Number(e.errorNo));
  for (const m of description.matchAll(/AADSTS(\d+)/g)) codes.add(Number(m[1]));
  return { error: e.errorCode ?? "", suberror: e.subError ?? "", codes: [...codes], description };
}

export interface CredentialContext {
  kind: "graph-app" | "graph-delegated";
  connectionName: string;
  clientId?: string;
  adminUpn?: string;
}

/** Maps a failed token request to the precise cause. Consent is detected by error/suberror first. */
export function classifyTokenError(err: unknown, ctx: CredentialContext): CredentialProblem {
  const f = tokenErrorFields(err);
  const has = (...codes: number[]) => codes.some((c) => f.codes.includes(c));
  const name = `Connection "${ctx.connectionName}"`;
  const admin = ctx.adminUpn ?? "the admin who authorized it";
  const anyAdmin = "a Global Administrator or Privileged Role Administrator of the tenant";

  if (
    f.suberror === "consent_required" ||
    (f.error === "invalid_grant" && has(65001)) ||
    f.error === "consent_required"
  )
    return new CredentialProblem(
      "consent-missing",
      "consent-required",
      `${name}: admin consent for the app's Microsoft Graph permissions is missing or was revoked.`,
      "An admin grants admin consent again (Grant admin consent on the connection).",
      anyAdmin,
    );
  if (f.error === "invalid_client" && has(7000222))
    return new CredentialProblem(
      "auth-lost",
      "secret-expired",
      `${name}: the client secret of app ${ctx.clientId ?? ""} has expired.`,
      "Create a new client secret in Entra ID (App registrations > Certificates & secrets) and enter it on the connection.",
      "an admin who owns the app registration",
    );
  if (f.error === "invalid_client")
    return new CredentialProblem(
      "auth-lost",
      "secret-invalid",
      `${name}: Entra ID rejected the client secret of app ${ctx.clientId ?? ""} (wrong value, or the secret id was entered instead of its value).`,
      "Enter the secret's Value (not its Secret ID) from App registrations > Certificates & secrets.",
      "an admin who owns the app registration",
    );
  if (f.error === "unauthorized_client" || has(700016))
    return new CredentialProblem(
      "consent-missing",
      "app-not-found",
      `${name}: app ${ctx.clientId ?? ""} is not present in this tenant (never consented, or its enterprise application was deleted).`,
      "Check the client id, then grant admin consent for the app in this tenant.",
      anyAdmin,
    );
  if (has(50057))
    return new CredentialProblem(
      "auth-lost",
      "admin-disabled",
      `${name}: the account of ${admin}, whose sign-in this connection uses, is disabled.`,
      "Another admin reauthorizes the connection (or the account is enabled again).",
      anyAdmin,
    );
  if (has(50034))
    return new CredentialProblem(
      "auth-lost",
      "admin-deleted",
      `${name}: the account of ${admin}, whose sign-in this connection uses, was deleted.`,
      "Another admin reauthorizes the connection.",
      anyAdmin,
    );
  if (has(50173, 50133, 50132) || f.suberror === "bad_token" || f.suberror === "token_revoked")
    return new CredentialProblem(
      "auth-lost",
      "token-revoked",
      `${name}: the sign-in of ${admin} was revoked (password reset or sessions revoked).`,
      `${admin} or another admin reauthorizes the connection.`,
      admin,
    );
  if (has(70008, 700082, 700084, 9002313) || f.error === "invalid_grant")
    return new CredentialProblem(
      "auth-lost",
      "token-expired",
      `${name}: the stored sign-in of ${admin} has expired or is no longer valid.`,
      `${admin} or another admin reauthorizes the connection.`,
      admin,
    );
  if (f.error === "interaction_required" || f.error === "login_required")
    return new CredentialProblem(
      "auth-lost",
      "interaction-required",
      `${name}: Entra ID requires ${admin} to sign in again (${f.suberror || f.error}).`,
      "Reauthorize the connection.",
      admin,
    );
  return new CredentialProblem(
    "transient",
    "authority-unreachable",
    `${name}: Entra ID could not issue a token (${f.error || "network error"}).`,
    "Nothing was changed; it will be retried later.",
    "nobody; it is retried automatically",
  );
}

/** A Graph 401 during a run (token issued, then refused): also a lost credential, with its own cause. */
export function asCredentialProblem(problem: DirectoryProblem, connectionName: string): CredentialProblem {
  if (problem instanceof CredentialProblem) return problem;
  return new CredentialProblem(
    problem.kind === "consent-missing" ? "consent-missing" : "auth-lost",
    problem.kind === "consent-missing" ? "consent-required" : "graph-unauthorized",
    `Connection "${connectionName}": ${problem.message}`,
    problem.remedy,
    "an admin of the tenant",
  );
}
