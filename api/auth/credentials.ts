import { createHash } from "node:crypto";
import type { ConfidentialClientApplication } from "@azure/msal-node";
import { GraphApi } from "../graph/client.ts";
import type { ConnectionDoc, SealedSecret } from "../store/documents.ts";
import { confidentialClient, graphDefaultScope } from "./msal.ts";
import type { SecretBox } from "./secrets.ts";
import { type CredentialProblem, classifyTokenError } from "./token-errors.ts";

export interface CredentialSettings {
  authorityHost: string;
  graphBaseUrl: string;
  /** The product's own multi-tenant app: holds delegated connections' refresh tokens and does OBO. */
  productClientId: string;
  productClientSecret?: string;
}

export interface CredentialHooks {
  /** The credential stopped working: the connection should become needs-reauth (idempotent). */
  onLost?(connection: ConnectionDoc, problem: CredentialProblem): Promise<void>;
  /** Entra rotated a delegated connection's refresh token; store the new one. */
  onRefreshTokenRotated?(connection: ConnectionDoc, sealed: SealedSecret): Promise<void>;
}

/** Sealed-secret contexts: the tenant and connection are bound into the ciphertext. */
export const secretContext = (tenantId: string, connectionId: string) =>
  `${tenantId}/${connectionId}/credential`;

const EARLY_RENEW_MS = 5 * 60_000;

/**
 * Turns a connection into a GraphApi: app-only tokens with the tenant's own app and its (decrypted) secret,
 * or delegated tokens from the consenting admin's refresh token through the product's app. Token failures
 * become CredentialProblems with the precise cause, never raw msal errors.
 */
export class ConnectionCredentials {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly settings: CredentialSettings,
    private readonly secrets: SecretBox,
    private readonly hooks: CredentialHooks = {},
    private readonly now: () => number = Date.now,
  ) {}

  graphFor(connection: ConnectionDoc): GraphApi {
    return new GraphApi({
      baseUrl: this.settings.graphBaseUrl,
      getToken: () => this.tokenFor(connection),
      // A token Graph refused is never offered again: the next call asks Entra ID for a new one.
      dropToken: () => this.forget(connection),
    });
  }

  /** A Graph access token for the connection; throws CredentialProblem when it cannot be had. */
  async tokenFor(connection: ConnectionDoc): Promise<string> {
    if (connection.kind !== "graph-app" && connection.kind !== "graph-delegated")
      throw new Error(`Connection kind ${connection.kind} does not read from Microsoft Graph`);
    if (!connection.secret) throw this.missingCredential(connection);
    const cacheKey = `${connection.tenantId}/${connection.id}/${fingerprint(connection.secret)}`;
    const cached = this.tokens.get(cacheKey);
    if (cached && cached.expiresAt - EARLY_RENEW_MS > this.now()) return cached.token;
    const secret = await this.secrets.open(
      connection.secret,
      secretContext(connection.tenantId, connection.id),
    );
    try {
      const result =
        connection.kind === "graph-app"
          ? await this.appToken(connection, secret)
          : await this.delegatedToken(connection, secret);
      this.tokens.set(cacheKey, result);
      return result.token;
    } catch (err) {
      const problem = classifyTokenError(err, {
        kind: connection.kind,
        connectionName: connection.name,
        ...(connection.clientId ? { clientId: connection.clientId } : {}),
        ...(connection.consent?.adminUpn ? { adminUpn: connection.consent.adminUpn } : {}),
      });
      if (problem.kind !== "transient") await this.hooks.onLost?.(connection, problem);
      throw problem;
    }
  }

  /** Forget cached tokens of a connection (after a secret rotation or reauthorization). */
  forget(connection: Pick<ConnectionDoc, "tenantId" | "id">): void {
    const prefix = `${connection.tenantId}/${connection.id}/`;
    for (const key of this.tokens.keys()) if (key.startsWith(prefix)) this.tokens.delete(key);
  }

  /** The decoded app-only token's `roles`: which application permissions the tenant granted. */
  async grantedAppRoles(connection: ConnectionDoc): Promise<string[]> {
    const token = await this.tokenFor(connection);
    return claimList(token, "roles");
  }

  /** Delegated scopes (`scp`) of the connection's token. */
  async grantedScopes(connection: ConnectionDoc): Promise<string[]> {
    const token = await this.tokenFor(connection);
    const scp = claims(token).scp;
    return typeof scp === "string" ? scp.split(" ").filter(Boolean) : [];
  }

  /** A Graph client acting as the signed-in user, from their token for our API (on-behalf-of). */
  graphOnBehalfOf(tenantId: string, userAssertion: string, scopes: string[]): GraphApi {
    return new GraphApi({
      baseUrl: this.settings.graphBaseUrl,
      getToken: async () => {
        const cca = this.productClient(tenantId);
        try {
          const result = await cca.acquireTokenOnBehalfOf({ oboAssertion: userAssertion, scopes });
          if (!result?.accessToken) throw new Error("no token");
          return result.accessToken;
        } catch (err) {
          throw classifyTokenError(err, {
            kind: "graph-delegated",
            connectionName: "Group search",
            adminUpn: "you",
          });
        }
      },
    });
  }

  productClient(tenant: string): ConfidentialClientApplication {
    if (!this.settings.productClientSecret)
      throw new Error("AUTH_CLIENT_SECRET is not configured; delegated sign-in is unavailable");
    return confidentialClient(
      { authorityHost: this.settings.authorityHost },
      { clientId: this.settings.productClientId, clientSecret: this.settings.productClientSecret, tenant },
    );
  }

  private async appToken(connection: ConnectionDoc, secret: string) {
    const cca = confidentialClient(
      { authorityHost: this.settings.authorityHost },
      { clientId: connection.clientId ?? "", clientSecret: secret, tenant: connection.tenantId },
    );
    const result = await cca.acquireTokenByClientCredential({
      scopes: [graphDefaultScope(this.settings.graphBaseUrl)],
      skipCache: true,
    });
    if (!result?.accessToken) throw new Error("Entra ID answered without an access token");
    return { token: result.accessToken, expiresAt: result.expiresOn?.getTime() ?? this.now() + 3_000_000 };
  }

  private async delegatedToken(connection: ConnectionDoc, refreshToken: string) {
    const cca = this.productClient(connection.tenantId);
    const result = await cca.acquireTokenByRefreshToken({
      refreshToken,
      scopes: [graphDefaultScope(this.settings.graphBaseUrl)],
      forceCache: true,
    });
    if (!result?.accessToken) throw new Error("Entra ID answered without an access token");
    // Entra rotates refresh tokens; keep the newest so the connection outlives the original's lifetime.
    const rotated = latestRefreshToken(cca);
    if (rotated && rotated !== refreshToken && this.hooks.onRefreshTokenRotated) {
      const sealed = await this.secrets.seal(rotated, secretContext(connection.tenantId, connection.id));
      await this.hooks.onRefreshTokenRotated(connection, sealed);
    }
    return { token: result.accessToken, expiresAt: result.expiresOn?.getTime() ?? this.now() + 3_000_000 };
  }

  private missingCredential(connection: ConnectionDoc): CredentialProblem {
    return classifyTokenError(
      connection.kind === "graph-app"
        ? { errorCode: "invalid_client", errorMessage: "no secret stored" }
        : { errorCode: "consent_required", subError: "consent_required" },
      { kind: connection.kind as "graph-app", connectionName: connection.name },
    );
  }
}

function latestRefreshToken(cca: ConfidentialClientApplication): string | undefined {
  try {
    const cache = JSON.parse(cca.getTokenCache().serialize()) as {
      RefreshToken?: Record<string, { secret?: string }>;
    };
    return Object.values(cache.RefreshToken ?? {})
      .map((t) => t.secret)
      .find(Boolean);
  } catch {
    return undefined;
  }
}

const fingerprint = (s: SealedSecret) => createHash("sha256").update(s.ciphertext).digest("hex").slice(0, 12);

function claims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return {};
  }
}

const claimList = (token: string, name: string): string[] => {
  const v = claims(token)[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
};
