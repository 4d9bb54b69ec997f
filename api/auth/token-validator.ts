import {
  createRemoteJWKSet,
  decodeJwt,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a token was refused; `status` is 401 (sign in again) or 403 (signed in, but not allowed here). */
export class TokenRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 401 | 403 | 503 = 401,
  ) {
    super(message);
    this.name = "TokenRejected";
  }
}

export interface VerifiedToken {
  tid: string;
  oid: string;
  name: string;
  upn?: string;
  roles: string[];
  /** Directory role template ids (Global Administrator, User Administrator, ...). */
  wids: string[];
  scopes: string[];
  /** An app-only token (client credentials): an application calling with an app role, no user behind it. */
  app: boolean;
  expiresAt: number;
  claims: JWTPayload;
}

export interface TokenValidatorOptions {
  /** https://login.microsoftonline.com or any Entra-compatible authority host. */
  authorityHost: string;
  /** Accepted `aud` values: the app's client id and its api:// URIs. */
  audiences: string[];
  /** Empty: any tenant may sign in (multi-tenant app). */
  allowedTenants?: string[];
  clockToleranceSeconds?: number;
  /** Upper bound on cached per-tenant key sets, so random tenant ids in forged tokens cannot grow memory. */
  maxKeySets?: number;
}

/**
 * Validates Entra v2 access tokens for the product's API: signature against the tenant's published keys
 * (cached; jose refetches when a token names an unknown `kid`), issuer bound to the token's own tenant,
 * audience, expiry and not-before. The tenant comes from the token and nothing else.
 */
export class TokenValidator {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();
  private readonly authorityHost: string;

  constructor(private readonly options: TokenValidatorOptions) {
    this.authorityHost = options.authorityHost.replace(/\/+$/, "");
  }

  /**
   * `acceptApp`: also accept app-only tokens that carry app roles (client credentials of a customer's own
   * application); only the Directory API takes those, and the caller decides what the roles allow.
   */
  async validate(token: string, options: { acceptApp?: boolean } = {}): Promise<VerifiedToken> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new TokenRejected("token-malformed", "The access token is not a well-formed JWT");
    }
    const tid = typeof unverified.tid === "string" ? unverified.tid.toLowerCase() : "";
    if (!GUID_RE.test(tid))
      throw new TokenRejected("token-invalid", "The access token names no tenant (tid)");
    // Cheap checks before any key fetch: the issuer must be the token's own tenant at our authority.
    const issuer = `${this.authorityHost}/${tid}/v2.0`;
    if (unverified.iss !== issuer)
      throw new TokenRejected(
        "token-issuer",
        `The access token was issued by ${String(unverified.iss)}, not ${issuer}`,
      );
    const allowed = this.options.allowedTenants ?? [];
    if (allowed.length > 0 && !allowed.some((t) => t.toLowerCase() === tid))
      throw new TokenRejected(
        "tenant-not-allowed",
        `Tenant ${tid} is not allowed to use this deployment`,
        403,
      );

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keysFor(tid), {
        issuer,
        audience: this.options.audiences,
        algorithms: ["RS256"],
        clockTolerance: this.options.clockToleranceSeconds ?? 60,
        requiredClaims: ["exp", "nbf", "tid", "oid"],
      }));
    } catch (err) {
      throw mapJoseError(err);
    }
    const scopes = typeof payload.scp === "string" ? payload.scp.split(" ").filter(Boolean) : [];
    const roles = stringArray(payload.roles);
    // An app-only token has no scp; Entra marks it with idtyp=app (optional claim) and gives it app roles.
    const app =
      scopes.length === 0 && roles.length > 0 && (payload.idtyp === "app" || payload.sub === payload.oid);
    // People call the tab's routes with delegated tokens; applications only reach the Directory API.
    if (scopes.length === 0 && !(app && options.acceptApp))
      throw new TokenRejected(
        "token-not-delegated",
        "The access token carries no delegated scope (scp); sign in as a user",
      );
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    const upn = str(payload.preferred_username) ?? str(payload.upn);
    return {
      tid,
      oid: String(payload.oid),
      name: str(payload.name) ?? upn ?? String(payload.oid),
      ...(upn ? { upn } : {}),
      roles,
      app,
      wids: stringArray(payload.wids).map((w) => w.toLowerCase()),
      scopes,
      expiresAt: (payload.exp ?? 0) * 1000,
      claims: payload,
    };
  }

  private keysFor(tid: string): JWTVerifyGetKey {
    let keys = this.keySets.get(tid);
    if (!keys) {
      const max = this.options.maxKeySets ?? 1000;
      if (this.keySets.size >= max) {
        const oldest = this.keySets.keys().next().value;
        if (oldest) this.keySets.delete(oldest);
      }
      keys = createRemoteJWKSet(new URL(`${this.authorityHost}/${tid}/discovery/v2.0/keys`), {
        cacheMaxAge: 24 * 3600 * 1000,
        cooldownDuration: 30_000,
        timeoutDuration: 5000,
      });
      this.keySets.set(tid, keys);
    }
    return keys;
  }
}

const stringArray = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

function mapJoseError(err: unknown): TokenRejected {
  if (err instanceof errors.JWTExpired)
    return new TokenRejected("token-expired", "The access token has expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "aud")
      return new TokenRejected("token-audience", "The access token was issued for another application (aud)");
    if (err.claim === "iss")
      return new TokenRejected("token-issuer", "The access token has the wrong issuer");
    if (err.claim === "nbf")
      return new TokenRejected("token-not-yet-valid", "The access token is not valid yet (nbf)");
    return new TokenRejected("token-invalid", `The access token is invalid (${err.claim})`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey)
    return new TokenRejected("token-signature", "The access token's signature does not verify");
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JOSEAlgNotAllowed) {
    return err instanceof errors.JWKSTimeout
      ? new TokenRejected("keys-unavailable", "The sign-in keys could not be fetched; retry shortly", 503)
      : new TokenRejected("token-invalid", "The access token uses an algorithm that is not accepted");
  }
  if (err instanceof errors.JOSEError)
    return new TokenRejected("token-invalid", `The access token is invalid (${err.code})`);
  // Network failures fetching the key set: not the caller's fault.
  return new TokenRejected("keys-unavailable", "The sign-in keys could not be fetched; retry shortly", 503);
}
