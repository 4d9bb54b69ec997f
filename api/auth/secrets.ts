import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SealedSecret } from "../store/documents.ts";

/**
 * Wraps and unwraps data keys. The local provider uses a key from configuration; a Key Vault provider
 * implements the same two calls with wrapKey/unwrapKey on a vault key, so the master key never leaves the
 * vault. `wrap` answers with the exact id of the key version that wrapped, which is stored with each
 * secret so old secrets still open after the master key rotates.
 */
export interface KeyWrapper {
  wrap(dataKey: Buffer): Promise<{ wrapped: Buffer; keyId: string }>;
  unwrap(wrapped: Buffer, keyId: string): Promise<Buffer>;
}

const GCM_IV = 12;

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer) {
  const iv = randomBytes(GCM_IV);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function gcmDecrypt(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** AES-256-GCM key wrapping with master keys held in process memory (from ENCRYPTION_KEY). */
export class LocalKeyWrapper implements KeyWrapper {
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  /** `current` wraps new data keys; `previous` keys only unwrap, for rotation of the master key. */
  constructor(current: Buffer, previous: Buffer[] = []) {
    if (current.length !== 32) throw new Error("The encryption key must be 32 bytes");
    this.keyId = LocalKeyWrapper.idOf(current);
    for (const key of [current, ...previous]) this.keys.set(LocalKeyWrapper.idOf(key), key);
  }

  static idOf(key: Buffer): string {
    return `local:${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
  }

  async wrap(dataKey: Buffer): Promise<{ wrapped: Buffer; keyId: string }> {
    const master = this.keys.get(this.keyId) as Buffer;
    const { iv, ciphertext, tag } = gcmEncrypt(master, dataKey, Buffer.from(this.keyId));
    return { wrapped: Buffer.concat([iv, tag, ciphertext]), keyId: this.keyId };
  }

  async unwrap(wrapped: Buffer, keyId: string): Promise<Buffer> {
    const master = this.keys.get(keyId);
    if (!master) throw new Error(`Master key ${keyId} is not configured; the secret cannot be opened`);
    return gcmDecrypt(
      master,
      wrapped.subarray(0, GCM_IV),
      wrapped.subarray(GCM_IV + 16),
      wrapped.subarray(GCM_IV, GCM_IV + 16),
      Buffer.from(keyId),
    );
  }
}

/**
 * Envelope encryption for connection secrets: each secret gets a fresh data key (AES-256-GCM), the data
 * key is wrapped by the master key. `context` (tenant + connection id) is bound as associated data, so a
 * sealed secret copied into another tenant's or connection's document does not open.
 */
export class SecretBox {
  constructor(private readonly wrapper: KeyWrapper) {}

  async seal(plaintext: string, context: string): Promise<SealedSecret> {
    const dataKey = randomBytes(32);
    const { iv, ciphertext, tag } = gcmEncrypt(dataKey, Buffer.from(plaintext, "utf8"), Buffer.from(context));
    const { wrapped, keyId } = await this.wrapper.wrap(dataKey);
    dataKey.fill(0);
    return {
      keyId,
      wrappedKey: wrapped.toString("base64"),
      iv: iv.toString("base64"),
      tag: tag.toString("base64"),
      ciphertext: ciphertext.toString("base64"),
    };
  }

  async open(sealed: SealedSecret, context: string): Promise<string> {
    const dataKey = await this.wrapper.unwrap(Buffer.from(sealed.wrappedKey, "base64"), sealed.keyId);
    try {
      return gcmDecrypt(
        dataKey,
        Buffer.from(sealed.iv, "base64"),
        Buffer.from(sealed.ciphertext, "base64"),
        Buffer.from(sealed.tag, "base64"),
        Buffer.from(context),
      ).toString("utf8");
    } finally {
      dataKey.fill(0);
    }
  }
}

/** For `npm start`: a master key generated once under `.local/` (mode 600), never committed. */
export function loadOrCreateLocalKey(dir: string): Buffer {
  const path = join(dir, "encryption.key");
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    if (key.length === 32) return key;
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, key.toString("base64"), { mode: 0o600 });
  return key;
}

/** A hint that lets an admin recognise a secret without revealing it: its last four characters. */
export const secretHint = (secret: string) => (secret.length > 8 ? `…${secret.slice(-4)}` : "…");
