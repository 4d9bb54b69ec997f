import { randomBytes } from "node:crypto";
import { CryptoProvider, ResponseMode } from "@azure/msal-node";
import { jwtVerify, SignJWT } from "jose";
import { writeAudit } from "../audit/trail.ts";
import { type Actor, SYSTEM_ACTOR } from "../domain/actor.ts";
import { GraphApi } from "../graph/client.ts";
import { isDirectoryProblem } from "../graph/problems.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { type ConnectionCredentials, secretContext } from "./credentials.ts";
import { deriveKey } from "./keys.ts";
import { graphDefaultScope, graphScopes } from "./msal.ts";
import type { SecretBox } from "./secrets.ts";

export interface ConsentSettings {
  authorityHost: string;
  graphBaseUrl: string;
  publicUrl: string;
  productClientId: string;
  delegatedScopes: string[];
  stateSecret: string | Buffer;
  /** Directory role template ids that may authorize a delegated connection (ADMIN_DIRECTORY_ROLES). */
  adminDirectoryRoles: string[];
}

/** Signed into `state`: which tenant, connection and admin the flow belongs to, and a one-time nonce. */
interface ConsentState {
  tid: string;
  cid?: string;
  oid: string;
  n: string;
  step: "admin-consent" | "sign-in";
}

export type ConsentOutcome =
  | { type: "redirect"; url: string }
  | { type: "done"; ok: true; tenantId: string; connectionId?: string; message: string }
  | { type: "done"; ok: false; code: string; message: string; remedy: string };

const STATE_MINUTES = 15;

export class ConsentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly remedy: string,
  ) {
    super(message);
  }
}

/**
 * Told when a consent or reauthorization gave the connection a working credential again, so it leaves
 * `needs-reauth`. Implemented by the connections' health (api/connections/health.ts), wired in by api/app.
 */
export interface CredentialRecovery {
  credentialWorks(connection: ConnectionDoc): Promise<unknown>;
}

/**
 * Admin consent and reauthorization. Graph-app connections: the tenant's admin consents to the app's
 * application permissions. Graph-delegated connections: the admin consents to the product's delegated
 * permissions, then signs in (code + PKCE) so the product keeps that admin's refresh token; that sign-in
 * must be the admin who started the flow (`oid` and `tid` in `state`). `state` is
 * signed, expires, and carries a nonce also stored on the connection, so a callback cannot be replayed or
 * pointed at another tenant's or connection's flow.
 */
export class ConsentFlows {
  private readonly stateKey: Uint8Array;
  private readonly crypto = new CryptoProvider();

  constructor(
    private readonly settings: ConsentSettings,
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly credentials: ConnectionCredentials,
    private readonly health: CredentialRecovery,
    private readonly now: () => number = Date.now,
  ) {
    this.stateKey = deriveKey(settings.stateSecret, "consent-state");
  }

  get redirectUri(): string {
    return `${this.settings.publicUrl}/auth/consent/callback`;
  }

  /** Starts (or restarts) consent for a connection; answers the URL to open in a popup. */
  async start(connection: ConnectionDoc, admin: Actor): Promise<string> {
    if (connection.kind !== "graph-app" && connection.kind !== "graph-delegated")
      throw new ConsentError(
        "not-applicable",
        `A ${connection.kind} connection needs no consent`,
        "Nothing to do.",
      );
    const nonce = randomBytes(16).toString("base64url");
    await this.store.connections.update(connection.tenantId, connection.id, (c) => {
      c.pendingConsent = {
        nonce,
        step: "admin-consent",
        startedBy: admin,
        startedAt: new Date(this.now()).toISOString(),
      };
      return c;
    });
    const state = await this.sign({
      tid: connection.tenantId,
      cid: connection.id,
      oid: admin.oid,
      n: nonce,
      step: "admin-consent",
    });
    const delegated = connection.kind === "graph-delegated";
    return this.adminConsentUrl(
      connection.tenantId,
      delegated ? this.settings.productClientId : (connection.clientId ?? ""),
      state,
      delegated,
    );
  }

  /** Consent for the product app itself (used by group search); nothing is stored but the audit entry. */
  async startProductConsent(tenantId: string, admin: Actor): Promise<string> {
    const state = await this.sign({
      tid: tenantId,
      oid: admin.oid,
      n: randomBytes(8).toString("base64url"),
      step: "admin-consent",
    });
    return this.adminConsentUrl(tenantId, this.settings.productClientId, state, true);
  }

  /** Handles the redirect back from Entra ID (admin consent, then for delegated connections the sign-in). */
  async callback(query: Record<string, string | undefined>): Promise<ConsentOutcome> {
    const state = await this.verify(query.state);
    if (query.error) {
      const declined = query.error === "access_denied";
      return {
        type: "done",
        ok: false,
        code: declined ? "consent-declined" : "consent-failed",
        message: declined
          ? "Consent was not granted (declined, or the account is not allowed to grant admin consent)."
          : `Entra ID answered: ${query.error}${query.error_description ? ` (${query.error_description.split(" Trace ID")[0]})` : ""}`,
        remedy:
          "Sign in as a Global Administrator or Privileged Role Administrator and accept the permissions.",
      };
    }
    if (!state.cid) {
      await writeAudit(this.store, {
        tenantId: state.tid,
        actor: { oid: state.oid, name: state.oid },
        action: "product.consented",
        target: { kind: "app", id: this.settings.productClientId },
        // The redirect's own `scope` list is the browser's word, so it is not recorded as granted.
        changes: { consent: { from: null, to: "reported by the consent redirect" } },
      });
      return { type: "done", ok: true, tenantId: state.tid, message: "Admin consent was granted." };
    }
    const connection = await this.store.connections.get(state.tid, state.cid);
    if (
      !connection ||
      connection.pendingConsent?.nonce !== state.n ||
      connection.pendingConsent.step !== state.step
    )
      throw new ConsentError(
        "state-used",
        "This consent link was already used or replaced by a newer one",
        "Start again from the connection.",
      );
    if (state.step === "admin-consent") {
      if (query.admin_consent?.toLowerCase() !== "true" || query.tenant?.toLowerCase() !== state.tid)
        throw new ConsentError(
          "consent-mismatch",
          "The consent answer is for another tenant or incomplete",
          "Start again from the connection.",
        );
      return connection.kind === "graph-delegated"
        ? this.continueToSignIn(connection, state)
        : this.finishAppConsent(connection);
    }
    if (!query.code)
      throw new ConsentError(
        "code-missing",
        "The sign-in answer carried no authorization code",
        "Start again.",
      );
    return this.finishDelegatedSignIn(connection, query.code, state);
  }

  /** The tenant a genuine `state` was issued for; undefined for anything this API did not sign. */
  async tenantOfState(state: unknown): Promise<string | undefined> {
    if (typeof state !== "string") return undefined;
    try {
      return (await this.verify(state)).tid;
    } catch {
      return undefined;
    }
  }

  private adminConsentUrl(tenantId: string, clientId: string, state: string, delegated: boolean): string {
    const url = new URL(`${this.settings.authorityHost}/${tenantId}/v2.0/adminconsent`);
    url.searchParams.set("client_id", clientId);
    url.searchParams.set("redirect_uri", this.redirectUri);
    url.searchParams.set("state", state);
    url.searchParams.set(
      "scope",
      delegated
        ? graphScopes(this.settings.graphBaseUrl, this.settings.delegatedScopes).join(" ")
        : graphDefaultScope(this.settings.graphBaseUrl),
    );
    return url.toString();
  }

  /**
   * The redirect's `admin_consent=True` and `scope` are whatever the browser sent, so they prove nothing: the
   * consent is what Entra ID now puts into a new token for the connection's app. No token (a dead secret),
   * or one without application permissions, and nothing is recorded and the connection stays as it was.
   */
  private async finishAppConsent(connection: ConnectionDoc): Promise<ConsentOutcome> {
    const startedBy = connection.pendingConsent?.startedBy ?? SYSTEM_ACTOR;
    let permissions: string[];
    try {
      this.credentials.forget(connection);
      permissions = await this.credentials.grantedAppRoles(connection);
    } catch (err) {
      if (!isDirectoryProblem(err)) throw err;
      throw new ConsentError(
        "consent-unproven",
        `The consent could not be confirmed: Entra ID did not issue a token for the connection's app. ${err.message}`,
        err.remedy,
      );
    }
    if (permissions.length === 0)
      throw new ConsentError(
        "consent-not-granted",
        "Entra ID issues the connection's app a token without any application permission: admin consent was not granted",
        "Sign in as a Global Administrator or Privileged Role Administrator and accept the permissions.",
      );
    await this.record(
      connection,
      { adminObjectId: startedBy.oid, adminUpn: startedBy.upn ?? startedBy.name, permissions },
      startedBy,
    );
    return {
      type: "done",
      ok: true,
      tenantId: connection.tenantId,
      connectionId: connection.id,
      message: "Admin consent was granted.",
    };
  }

  private async continueToSignIn(connection: ConnectionDoc, state: ConsentState): Promise<ConsentOutcome> {
    const { verifier, challenge } = await this.crypto.generatePkceCodes();
    const nonce = randomBytes(16).toString("base64url");
    const sealedVerifier = await this.secrets.seal(
      verifier,
      `${secretContext(connection.tenantId, connection.id)}/pkce`,
    );
    await this.store.connections.update(connection.tenantId, connection.id, (c) => {
      c.pendingConsent = {
        ...(c.pendingConsent as NonNullable<ConnectionDoc["pendingConsent"]>),
        nonce,
        step: "sign-in",
        verifier: sealedVerifier,
      };
      return c;
    });
    const signed = await this.sign({ ...state, n: nonce, step: "sign-in" });
    const url = await this.credentials.productClient(connection.tenantId).getAuthCodeUrl({
      scopes: [...graphScopes(this.settings.graphBaseUrl, this.settings.delegatedScopes), "offline_access"],
      redirectUri: this.redirectUri,
      state: signed,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      responseMode: ResponseMode.QUERY,
      ...(connection.pendingConsent?.startedBy.upn
        ? { loginHint: connection.pendingConsent.startedBy.upn }
        : {}),
    });
    return { type: "redirect", url };
  }

  private async finishDelegatedSignIn(
    connection: ConnectionDoc,
    code: string,
    state: ConsentState,
  ): Promise<ConsentOutcome> {
    const pending = connection.pendingConsent;
    if (!pending?.verifier)
      throw new ConsentError("state-used", "The sign-in step was not started", "Start again.");
    const verifier = await this.secrets.open(
      pending.verifier,
      `${secretContext(connection.tenantId, connection.id)}/pkce`,
    );
    const cca = this.credentials.productClient(connection.tenantId);
    const result = await cca.acquireTokenByCode({
      code,
      codeVerifier: verifier,
      redirectUri: this.redirectUri,
      scopes: [...graphScopes(this.settings.graphBaseUrl, this.settings.delegatedScopes), "offline_access"],
    });
    const claims = (result.idTokenClaims ?? {}) as {
      oid?: string;
      tid?: string;
      preferred_username?: string;
      name?: string;
    };
    if (claims.tid?.toLowerCase() !== connection.tenantId || claims.tid.toLowerCase() !== state.tid)
      throw new ConsentError(
        "wrong-tenant",
        "The admin signed in to another organization",
        "Sign in with an admin account of this organization.",
      );
    // The connection keeps the signed-in account's refresh token, so it must be the admin who started the
    // flow from the tab: anyone else in the pop-up would otherwise attach their own account unnoticed.
    if (claims.oid?.toLowerCase() !== state.oid.toLowerCase()) {
      const starter = pending.startedBy;
      const expected = starter.upn ?? starter.name ?? starter.oid;
      const actual = claims.preferred_username ?? claims.name ?? "another account";
      throw new ConsentError(
        "wrong-account",
        `Signed in as ${actual}, a different account than the one that started authorizing this connection (${expected})`,
        `Sign in with ${expected}; or, for ${actual} to authorize it, start again from the connection signed in to Directory Sync as ${actual}.`,
      );
    }
    // Entra refuses admin consent to anyone else (AADSTS90094), but the redirect that says it was given can be
    // typed by hand; the account whose refresh token the connection keeps must itself be an admin.
    await this.requireAdminRole(
      result.accessToken,
      claims.oid ?? "",
      claims.preferred_username ?? claims.name,
    );
    const cache = JSON.parse(cca.getTokenCache().serialize()) as {
      RefreshToken?: Record<string, { secret?: string }>;
    };
    const refreshToken = Object.values(cache.RefreshToken ?? {})
      .map((t) => t.secret)
      .find(Boolean);
    if (!refreshToken)
      throw new ConsentError(
        "no-refresh-token",
        "Entra ID returned no refresh token (offline_access missing)",
        "Grant consent again including offline access.",
      );
    const admin: Actor = {
      oid: claims.oid ?? "",
      name: claims.name ?? claims.preferred_username ?? "",
      upn: claims.preferred_username,
    };
    const secret = await this.secrets.seal(refreshToken, secretContext(connection.tenantId, connection.id));
    await this.record(
      connection,
      { adminObjectId: admin.oid, adminUpn: admin.upn ?? admin.name, permissions: result.scopes },
      admin,
      secret,
    );
    return {
      type: "done",
      ok: true,
      tenantId: connection.tenantId,
      connectionId: connection.id,
      message: `Connection authorized by ${admin.upn ?? admin.name}.`,
    };
  }

  /** Reads the account's directory role assignments with its own new token. */
  private async requireAdminRole(accessToken: string, oid: string, who: string | undefined): Promise<void> {
    const graph = new GraphApi({ baseUrl: this.settings.graphBaseUrl, getToken: async () => accessToken });
    const filter = encodeURIComponent(`principalId eq '${oid.replace(/'/g, "''")}'`);
    let roles: string[];
    try {
      const assignments = await graph.get<{ value?: { roleDefinitionId: string }[] }>(
        `/roleManagement/directory/roleAssignments?$filter=${filter}`,
      );
      roles = (assignments.value ?? []).map((a) => a.roleDefinitionId.toLowerCase());
    } catch (err) {
      if (!isDirectoryProblem(err)) throw err;
      throw new ConsentError(
        "admin-unverified",
        `The directory roles of ${who ?? "the signed-in account"} could not be read: ${err.message}`,
        "Try again; an admin must authorize this connection.",
      );
    }
    const admin = this.settings.adminDirectoryRoles.map((r) => r.toLowerCase());
    if (!roles.some((r) => admin.includes(r)))
      throw new ConsentError(
        "not-an-admin",
        `${who ?? "The signed-in account"} holds no admin directory role, so it cannot authorize a connection`,
        "An admin of the organization (for example a Global Administrator) must start and finish authorizing the connection.",
      );
  }

  /** Records who consented and when; a reauthorization keeps settings, schedule and history. */
  private async record(
    connection: ConnectionDoc,
    consent: { adminObjectId: string; adminUpn: string; permissions: string[] },
    actor: Actor,
    secret?: ConnectionDoc["secret"],
  ): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const reauth = Boolean(connection.consent);
    const before = connection.consent;
    const updated = await this.store.connections.update(connection.tenantId, connection.id, (c) => {
      c.consent = { ...consent, consentedAt: at };
      if (secret) c.secret = secret;
      if (reauth) c.reauthorizedAt = at;
      delete c.pendingConsent;
      delete c.warning;
      c.updatedAt = at;
      c.updatedBy = actor;
      return c;
    });
    this.credentials.forget(updated);
    await writeAudit(
      this.store,
      {
        tenantId: connection.tenantId,
        actor,
        action: reauth ? "connection.reauthorized" : "connection.consented",
        target: { kind: "connection", id: connection.id, name: connection.name },
        changes: {
          consent: {
            from: before ? `${before.adminUpn} at ${before.consentedAt}` : null,
            to: `${consent.adminUpn} at ${at}`,
          },
          ...(secret ? { secret: { from: connection.secret ? "[redacted]" : null, to: "[redacted]" } } : {}),
        },
      },
      this.now,
    );
    await this.health.credentialWorks(updated);
  }

  private sign(state: ConsentState): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ ...state })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(iat)
      .setExpirationTime(iat + STATE_MINUTES * 60)
      .sign(this.stateKey);
  }

  private async verify(state: string | undefined): Promise<ConsentState> {
    if (!state)
      throw new ConsentError(
        "state-missing",
        "The consent answer carried no state",
        "Start again from the connection.",
      );
    try {
      const { payload } = await jwtVerify(state, this.stateKey, {
        algorithms: ["HS256"],
        currentDate: new Date(this.now()),
      });
      return payload as unknown as ConsentState;
    } catch {
      throw new ConsentError(
        "state-invalid",
        "The consent answer's state is invalid or expired",
        "Start again from the connection.",
      );
    }
  }
}
