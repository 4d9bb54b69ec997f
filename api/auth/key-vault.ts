import type { TokenCredential } from "@azure/identity";
import { CryptographyClient } from "@azure/keyvault-keys";
import type { KeyWrapper } from "./secrets.ts";

/** What this wrapper needs of a Key Vault key; CryptographyClient provides it. */
export interface VaultKeyOperations {
  wrapKey(algorithm: "RSA-OAEP-256", key: Uint8Array): Promise<{ result: Uint8Array; keyID?: string }>;
  unwrapKey(algorithm: "RSA-OAEP-256", encryptedKey: Uint8Array): Promise<{ result: Uint8Array }>;
}

/**
 * Data keys wrapped by an RSA key in Azure Key Vault: the master key never leaves the vault, and the API's
 * managed identity needs only the wrapKey/unwrapKey permissions. The configured key id may be versionless
 * (infra passes it so, and rotates the key yearly); Key Vault then wraps with the latest version, so each
 * secret keeps the versioned id wrapKey answers with and opens with that version after any rotation.
 */
export class KeyVaultKeyWrapper implements KeyWrapper {
  constructor(
    readonly keyId: string,
    private readonly clientFor: (keyId: string) => VaultKeyOperations,
  ) {}

  static fromCredential(keyId: string, credential: TokenCredential): KeyVaultKeyWrapper {
    return new KeyVaultKeyWrapper(keyId, (id) => new CryptographyClient(id, credential));
  }

  async wrap(dataKey: Buffer): Promise<{ wrapped: Buffer; keyId: string }> {
    const { result, keyID } = await this.clientFor(this.keyId).wrapKey("RSA-OAEP-256", dataKey);
    if (!keyID)
      throw new Error(
        "Key Vault did not say which key version wrapped the data key; the secret would not open after a rotation",
      );
    return { wrapped: Buffer.from(result), keyId: keyID };
  }

  async unwrap(wrapped: Buffer, keyId: string): Promise<Buffer> {
    const { result } = await this.clientFor(keyId).unwrapKey("RSA-OAEP-256", wrapped);
    return Buffer.from(result);
  }
}
