import { randomUUID } from "node:crypto";
import type { Response } from "express";

/** An OAuth error as the v2.0 token endpoint returns it, with the AADSTS code in front of the description. */
export class AadError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    readonly description: string,
    readonly suberror?: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
  }
}

export function sendAadError(res: Response, err: AadError, now: number, correlationId?: string): void {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = new Date(now)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");
  res
    .status(err.status)
    .set("Cache-Control", "no-store, no-cache")
    .set("x-ms-request-id", traceId)
    .json({
      error: err.error,
      error_description: `AADSTS${err.aadsts}: ${err.description} Trace ID: ${traceId} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
      error_codes: [err.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlation,
      ...(err.suberror ? { suberror: err.suberror } : {}),
      error_uri: `https://login.microsoftonline.com/error?code=${err.aadsts}`,
    });
}

export const aad = {
  tenantNotFound: (tenant: string) =>
    new AadError(
      400,
      "invalid_request",
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  appNotFound: (clientId: string, tenant: string) =>
    new AadError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  invalidSecret: (clientId: string) =>
    new AadError(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  expiredSecret: (clientId: string) =>
    new AadError(
      401,
      "invalid_client",
      7000222,
      `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    ),
  missingSecret: () =>
    new AadError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  consentRequired: (clientId: string, appName: string) =>
    new AadError(
      400,
      "invalid_grant",
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${appName}'. Send an interactive authorization request for this user and resource.`,
      "consent_required",
    ),
  userDisabled: () => new AadError(400, "invalid_grant", 50057, "The user account is disabled."),
  userNotFound: (tenant: string) =>
    new AadError(
      400,
      "invalid_grant",
      50034,
      `The user account {EUII Hidden} does not exist in the ${tenant} directory. To sign into this application, the account must be added to the directory.`,
    ),
  refreshRevoked: () =>
    new AadError(
      400,
      "invalid_grant",
      50173,
      "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{grant_issued_at}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{valid_from}'.",
      "bad_token",
    ),
  badRefreshToken: () =>
    new AadError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."),
  badCode: () =>
    new AadError(
      400,
      "invalid_grant",
      70008,
      "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    ),
  pkceFailed: () =>
    new AadError(
      400,
      "invalid_grant",
      50148,
      "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
    ),
  redirectMismatch: () =>
    new AadError(
      400,
      "invalid_grant",
      50011,
      "The redirect URI specified in the request does not match the redirect URI used to obtain the authorization code.",
    ),
  invalidScope: (scope: string) =>
    new AadError(
      400,
      "invalid_scope",
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
    ),
  badGrantType: (g: string) =>
    new AadError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${g}'.`),
  missingParam: (p: string) =>
    new AadError(
      400,
      "invalid_request",
      900144,
      `The request body must contain the following parameter: '${p}'.`,
    ),
  badAssertion: (why: string) =>
    new AadError(400, "invalid_grant", 50013, `Assertion failed signature validation. ${why}`),
  assertionAudience: () =>
    new AadError(
      400,
      "invalid_grant",
      50013,
      "Assertion audience does not match the Client app presenting the assertion.",
    ),
  assertionExpired: () =>
    new AadError(400, "invalid_grant", 500133, "Assertion is not within its valid time range."),
};
