import { createHash, randomBytes } from "node:crypto";
import type { SessionDoc } from "../store/documents.ts";
import { isStoreError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";
import type { ConnectionCredentials } from "./credentials.ts";
import type { SecretBox } from "./secrets.ts";
import { type LoginTransaction, SESSION_HOURS, type SessionCodec, type SessionData } from "./session.ts";
import { classifyTokenError } from "./token-errors.ts";
import { TokenRejected, type TokenValidator } from "./token-validator.ts";

/** How long rights read from Entra ID are trusted for reading; a state-changing request always re-checks. */
export const RECHECK_MINUTES = 5;

export interface SessionsOptions {
  codec: SessionCodec;
  store: Pick<Store, "sessions">;
  secrets: SecretBox;
  credentials: Pick<ConnectionCredentials, "productClient">;
  validator: Pick<TokenValidator, "validate">;
  /** The product API's delegated scope, as requested at sign-in. */
  apiScope: string;
  now?: () => number;
}

export interface SignedIn {
  tid: string;
  oid: string;
  name: string;
  upn?: string;
  roles: string[];
  wids: string[];
}

const hashOf = (sid: string) => createHash("sha256").update(sid).digest("hex");
const refreshContext = (tid: string, id: string) => `${tid}/session/${id}`;

/**
 * Standalone browser sessions, kept on the server. The cookie names a session; the session holds the
 * account's rights and its refresh token. Signing out deletes it, so a copied cookie stops working at once.
 * Rights are read again from Entra ID (a new token through the refresh token) every few minutes and before
 * every state-changing request: a removed role counts from then on, and a disabled account, a password reset
 * or revoked sessions end the session, because Entra ID no longer issues it tokens.
 */
export class Sessions {
  private readonly now: () => number;

  constructor(private readonly o: SessionsOptions) {
    this.now = o.now ?? Date.now;
  }

  async start(
    who: SignedIn,
    refreshToken: string | undefined,
  ): Promise<{ cookie: string; session: SessionData }> {
    const sid = randomBytes(32).toString("base64url");
    const csrf = randomBytes(24).toString("base64url");
    const id = hashOf(sid);
    const at = this.now();
    await this.o.store.sessions.upsert({
      id,
      tenantId: who.tid,
      type: "session",
      oid: who.oid,
      name: who.name,
      ...(who.upn ? { upn: who.upn } : {}),
      roles: who.roles,
      wids: who.wids,
      ...(refreshToken
        ? { refreshToken: await this.o.secrets.seal(refreshToken, refreshContext(who.tid, id)) }
        : {}),
      checkedAt: new Date(at).toISOString(),
      createdAt: new Date(at).toISOString(),
      expiresAt: new Date(at + SESSION_HOURS * 3_600_000).toISOString(),
      ttl: SESSION_HOURS * 3600,
    });
    const cookie = await this.o.codec.sealCookie({ sid, tid: who.tid, csrf });
    return { cookie, session: { ...this.dataOf(who), csrf } };
  }

  /**
   * The session the cookie names, with rights re-read from Entra ID when they are older than RECHECK_MINUTES
   * or `stateChanging`; undefined when there is none (signed out, expired, account no longer signed in).
   */
  async open(cookie: string, options: { stateChanging: boolean }): Promise<SessionData | undefined> {
    const named = await this.o.codec.openCookie(cookie);
    if (!named) return undefined;
    const id = hashOf(named.sid);
    let doc = await this.o.store.sessions.get(named.tid, id);
    if (!doc) return undefined;
    if (Date.parse(doc.expiresAt) <= this.now()) {
      await this.o.store.sessions.delete(named.tid, id);
      return undefined;
    }
    const stale = this.now() - Date.parse(doc.checkedAt) >= RECHECK_MINUTES * 60_000;
    if (stale || options.stateChanging) {
      // Signed out meanwhile (the session deleted under the re-check): the same as signed out before.
      const rechecked = await this.recheck(doc).catch((err: unknown) => {
        if (isStoreError(err, "not-found")) return undefined;
        throw err;
      });
      if (!rechecked) {
        await this.o.store.sessions.delete(named.tid, id);
        return undefined;
      }
      doc = rechecked;
    }
    return { ...this.dataOf({ ...doc, tid: doc.tenantId }), csrf: named.csrf };
  }

  /** Signs out: the session is gone for every copy of the cookie. */
  async end(cookie: string | undefined): Promise<void> {
    const named = cookie ? await this.o.codec.openCookie(cookie) : undefined;
    if (named) await this.o.store.sessions.delete(named.tid, hashOf(named.sid));
  }

  sealLogin(tx: LoginTransaction): Promise<string> {
    return this.o.codec.sealLogin(tx);
  }

  openLogin(cookie: string): Promise<LoginTransaction | undefined> {
    return this.o.codec.openLogin(cookie);
  }

  /** A new token for the account: its current roles, or undefined when Entra ID refuses the account. */
  private async recheck(doc: SessionDoc): Promise<SessionDoc | undefined> {
    if (!doc.refreshToken) return undefined;
    const refreshToken = await this.o.secrets.open(doc.refreshToken, refreshContext(doc.tenantId, doc.id));
    const client = this.o.credentials.productClient(doc.tenantId);
    let accessToken: string;
    try {
      const result = await client.acquireTokenByRefreshToken({ refreshToken, scopes: [this.o.apiScope] });
      if (!result?.accessToken) return undefined;
      accessToken = result.accessToken;
    } catch (err) {
      const problem = classifyTokenError(err, { kind: "graph-delegated", connectionName: "Sign-in" });
      if (problem.kind === "transient")
        throw new TokenRejected(
          "session-unverifiable",
          "Your rights could not be checked with Microsoft Entra ID right now",
          503,
        );
      return undefined;
    }
    const verified = await this.o.validator.validate(accessToken);
    if (verified.oid !== doc.oid || verified.tid !== doc.tenantId) return undefined;
    const rotated = latestRefreshToken(client);
    const sealedRotation =
      rotated && rotated !== refreshToken
        ? await this.o.secrets.seal(rotated, refreshContext(doc.tenantId, doc.id))
        : undefined;
    return this.o.store.sessions.update(doc.tenantId, doc.id, (current) => {
      current.roles = verified.roles;
      current.wids = verified.wids;
      current.name = verified.name;
      if (sealedRotation) current.refreshToken = sealedRotation;
      current.checkedAt = new Date(this.now()).toISOString();
      return current;
    });
  }

  private dataOf(who: SignedIn): Omit<SessionData, "csrf"> {
    return {
      tid: who.tid,
      oid: who.oid,
      name: who.name,
      ...(who.upn ? { upn: who.upn } : {}),
      roles: who.roles,
      wids: who.wids,
    };
  }
}

/** The refresh token msal keeps after a code or refresh-token redemption (Entra rotates them). */
export function latestRefreshToken(client: { getTokenCache(): { serialize(): string } }): string | undefined {
  try {
    const cache = JSON.parse(client.getTokenCache().serialize()) as {
      RefreshToken?: Record<string, { secret?: string }>;
    };
    return Object.values(cache.RefreshToken ?? {})
      .map((t) => t.secret)
      .find(Boolean);
  } catch {
    return undefined;
  }
}

/**
 * Removes every session past its expiry, in all tenants. `open` deletes an expired session it is handed, but
 * a session nobody presents again (the browser closed, the cookie cleared) would otherwise stay, sealed
 * refresh token and all, wherever Cosmos TTL does not remove it.
 */
export async function purgeExpiredSessions(store: Pick<Store, "sessions">, now: Date): Promise<number> {
  let removed = 0;
  const expired = {
    where: "c.expiresAt <= @now",
    parameters: [{ name: "@now", value: now.toISOString() }],
    select: "c.id, c.tenantId",
  };
  for await (const page of store.sessions.streamAllTenants(expired, 500)) {
    const byTenant = new Map<string, string[]>();
    for (const doc of page) byTenant.set(doc.tenantId, [...(byTenant.get(doc.tenantId) ?? []), doc.id]);
    for (const [tenantId, ids] of byTenant) {
      await store.sessions.bulkDelete(tenantId, ids);
      removed += ids.length;
    }
  }
  return removed;
}
