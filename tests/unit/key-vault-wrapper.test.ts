import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyVaultKeyWrapper, type VaultKeyOperations } from "../../api/auth/key-vault.ts";
import { SecretBox } from "../../api/auth/secrets.ts";

/** A vault key version as Key Vault holds it: RSA, RSA-OAEP-256 wrapping, private half never handed out. */
function vaultKey(id?: string): VaultKeyOperations {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" };
  return {
    async wrapKey(_algorithm, key) {
      return { result: publicEncrypt({ key: publicKey, ...oaep }, key), ...(id ? { keyID: id } : {}) };
    },
    async unwrapKey(_algorithm, encryptedKey) {
      return { result: privateDecrypt({ key: privateKey, ...oaep }, encryptedKey) };
    },
  };
}

describe("Key Vault key wrapping", () => {
  it("seals with the current key version and still opens secrets sealed before a rotation", async () => {
    const versions = new Map([
      ["https://kv.vault.azure.net/keys/secrets/v1", vaultKey("https://kv.vault.azure.net/keys/secrets/v1")],
      ["https://kv.vault.azure.net/keys/secrets/v2", vaultKey("https://kv.vault.azure.net/keys/secrets/v2")],
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

  it("opens secrets sealed before a yearly rotation when configured with the versionless key URI", async () => {
    // Infra passes the versionless URI and rotates the key; Key Vault then answers a versionless wrap or
    // unwrap with the latest version and says which version wrapped in the result's key id.
    const vault = standInVault("https://kv.vault.azure.net/keys/secrets");
    const box = new SecretBox(
      new KeyVaultKeyWrapper("https://kv.vault.azure.net/keys/secrets", vault.clientFor),
    );
    const sealed = await box.seal("client-secret-value", "tenant/connection/credential");
    expect(sealed.keyId).toBe("https://kv.vault.azure.net/keys/secrets/version-1");

    vault.rotate();
    expect(await box.open(sealed, "tenant/connection/credential")).toBe("client-secret-value");
    const next = await box.seal("next", "tenant/connection/credential");
    expect(next.keyId).toBe("https://kv.vault.azure.net/keys/secrets/version-2");
    vault.rotate();
    expect(await box.open(next, "tenant/connection/credential")).toBe("next");
    expect(await box.open(sealed, "tenant/connection/credential")).toBe("client-secret-value");
  });
});

/**
 * A Key Vault key with versions, following the documented rule: an id without a version means the latest
 * version, and wrapKey answers with the versioned id of the key that wrapped.
 */
function standInVault(keyUri: string) {
  const versions: VaultKeyOperations[] = [];
  const rotate = () => versions.push(vaultKey());
  rotate();
  const clientFor = (id: string): VaultKeyOperations => {
    const resolve = () => {
      if (id === keyUri) return { version: versions.length, key: versions.at(-1) as VaultKeyOperations };
      const match = id.startsWith(`${keyUri}/version-`) ? Number(id.slice(keyUri.length + 9)) : Number.NaN;
      const key = versions[match - 1];
      if (!key) throw new Error(`Key ${id} not found`);
      return { version: match, key };
    };
    return {
      async wrapKey(algorithm, key) {
        const { version, key: current } = resolve();
        const { result } = await current.wrapKey(algorithm, key);
        return { result, keyID: `${keyUri}/version-${version}` };
      },
      async unwrapKey(algorithm, encryptedKey) {
        return resolve().key.unwrapKey(algorithm, encryptedKey);
      },
    };
  };
  return { clientFor, rotate };
}
