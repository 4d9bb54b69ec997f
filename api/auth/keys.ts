import { hkdfSync } from "node:crypto";

/**
 * Independent keys for independent purposes (session cookies, consent state, CSRF), all derived from one
 * configured secret with HKDF, so compromising one use does not forge another.
 */
export function deriveKey(secret: string | Buffer, purpose: string, bytes = 32): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secret, "entra-directory-sync", purpose, bytes));
}
