import { timingSafeEqual } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import { deriveKey } from "./keys.ts";

/** Who a standalone browser session is, as last checked with Entra ID (see sessions.ts). */
export interface SessionData {
  tid: string;
  oid: string;
  name: string;
  upn?: string;
  roles: string[];
  wids: string[];
  /** Double-submit token: returned by GET /api/me, required in X-CSRF-Token on state-changing calls. */
  csrf: string;
}

/** What the cookie carries: which server-side session, and its CSRF token. Nothing about rights. */
export interface SessionCookie {
  sid: string;
  tid: string;
  csrf: string;
}

/** The short-lived sign-in transaction between /auth/login and /auth/callback. */
export interface LoginTransaction {
  state: string;
  verifier: string;
  nonce: string;
  returnTo: string;
}

export const SESSION_HOURS = 8;

/**
 * Cookie sealing: the session cookie and the sign-in transaction are encrypted JWTs (dir + A256GCM) under keys
 * derived from the session secret, so any API instance can read them and the browser can neither read nor
 * alter them. The session itself lives on the server (sessions.ts); the cookie only names it.
 */
export class SessionCodec {
  private readonly sessionKey: Uint8Array;
  private readonly loginKey: Uint8Array;

  constructor(
    secret: string | Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.sessionKey = deriveKey(secret, "session-cookie");
    this.loginKey = deriveKey(secret, "login-transaction");
  }

  sealCookie(cookie: SessionCookie): Promise<string> {
    return this.encrypt(cookie as never, this.sessionKey, SESSION_HOURS * 3600, "session");
  }

  openCookie(cookie: string): Promise<SessionCookie | undefined> {
    return this.decrypt<SessionCookie>(cookie, this.sessionKey, "session");
  }

  sealLogin(tx: LoginTransaction): Promise<string> {
    return this.encrypt(tx as never, this.loginKey, 600, "login");
  }

  openLogin(cookie: string): Promise<LoginTransaction | undefined> {
    return this.decrypt<LoginTransaction>(cookie, this.loginKey, "login");
  }

  private async encrypt(payload: Record<string, unknown>, key: Uint8Array, seconds: number, purpose: string) {
    const iat = Math.floor(this.now() / 1000);
    return new EncryptJWT({ ...payload, purpose })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setIssuedAt(iat)
      .setExpirationTime(iat + seconds)
      .encrypt(key);
  }

  private async decrypt<T>(value: string, key: Uint8Array, purpose: string): Promise<T | undefined> {
    try {
      const { payload } = await jwtDecrypt(value, key, { currentDate: new Date(this.now()) });
      if (payload.purpose !== purpose) return undefined;
      return payload as unknown as T;
    } catch {
      return undefined;
    }
  }
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
