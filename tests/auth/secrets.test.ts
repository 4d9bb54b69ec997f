import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LocalKeyWrapper, SecretBox } from "../../api/auth/secrets.ts";

describe("envelope encryption of connection secrets", () => {
  const master = randomBytes(32);
  const box = new SecretBox(new LocalKeyWrapper(master));

  it("seals with a fresh data key each time and opens only in its own context", async () => {
    const a = await box.seal("s3cret-value", "tenant-a/conn-1/credential");
    const b = await box.seal("s3cret-value", "tenant-a/conn-1/credential");
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(JSON.stringify(a)).not.toContain("s3cret");
    expect(await box.open(a, "tenant-a/conn-1/credential")).toBe("s3cret-value");
    // Copied into another tenant's or connection's document, it does not open.
    await expect(box.open(a, "tenant-b/conn-1/credential")).rejects.toThrow();
    await expect(
      box.open({ ...a, ciphertext: b.ciphertext }, "tenant-a/conn-1/credential"),
    ).rejects.toThrow();
  });

  it("opens old secrets after the master key rotates, and refuses unknown keys", async () => {
    const old = await box.seal("v1", "ctx");
    const rotated = new SecretBox(new LocalKeyWrapper(randomBytes(32), [master]));
    expect(await rotated.open(old, "ctx")).toBe("v1");
    const fresh = await rotated.seal("v2", "ctx");
    expect(fresh.keyId).not.toBe(old.keyId);
    await expect(new SecretBox(new LocalKeyWrapper(randomBytes(32))).open(old, "ctx")).rejects.toThrow(
      /not configured/,
    );
  });
});
