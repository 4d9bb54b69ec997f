import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyVaultKeyWrapper, type VaultKeyOperations } from "../../api/auth/key-vault.ts";
import { SecretBox } from "../../api/auth/secrets.ts";

/** A vault key version as Key Vault holds it: RSA, RSA-OAEP-256 wrapping, private half never handed out. */
function vaultKey(): VaultKeyOperations {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" };
  return {
    async wrapKey(_algorithm, key) {
      return { result: publicEncrypt({ key: publicKey, ...oaep }, key) };
    },
    async unwrapKey(_algorithm, encryptedKey) {
      return { result: privateDecrypt({ key: privateKey, ...oaep }, encryptedKey) };
    },
  };
}

describe("Key Vault key wrapping", () => {
  it("seals with the current key version and still opens secrets sealed before a rotation", async () => {
    const versions = new Map([
      ["https://kv.vault.azure.net/keys/secrets/v1", vaultKey()],
      ["https://kv.vault.azure.net/keys/secrets/v2", vaultKey()],
    ]);
    const clientFor = (id: string) => {
      const key = versions.get(id);
      if (!key) throw new Error(`no key ${id}`);
      return key;
    };
    const before = new SecretBox(
      new KeyVaultKeyWrapper("https://kv.vault.azure.net/keys/secrets/v1", clientFor),
    );
    const sealed = await before.seal("client-secret-value", "tenant/connection/credential");
    expect(sealed.keyId).toBe("https://kv.vault.azure.net/keys/secrets/v1");
    expect(JSON.stringify(sealed)).not.toContain("client-secret-value");

    const after = new SecretBox(
      new KeyVaultKeyWrapper("https://kv.vault.azure.net/keys/secrets/v2", clientFor),
    );
    expect(await after.open(sealed, "tenant/connection/credential")).toBe("client-secret-value");
    expect((await after.seal("next", "tenant/connection/credential")).keyId).toBe(
      "https://kv.vault.azure.net/keys/secrets/v2",
    );
    await expect(after.open(sealed, "other-tenant/connection/credential")).rejects.toThrow();
  });
});
