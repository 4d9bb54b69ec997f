import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Each subscription's clientState is a fresh 256-bit random secret. Graph echoes it in every notification;
 * only its SHA-256 is stored (the secret has full entropy, so a plain hash cannot be reversed or guessed),
 * and a received value is compared by hash in constant time.
 */
export function newClientState(): { value: string; hash: string } {
  const value = randomBytes(32).toString("base64url");
  return { value, hash: hashClientState(value) };
}

function hashClientState(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("base64url");
}

export function clientStateMatches(received: unknown, storedHash: string): boolean {
  if (typeof received !== "string" || received.length === 0 || received.length > 128) return false;
  const a = Buffer.from(hashClientState(received), "base64url");
  const b = Buffer.from(storedHash, "base64url");
  return a.length === b.length && timingSafeEqual(a, b);
}
