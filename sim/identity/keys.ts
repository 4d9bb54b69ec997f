import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

let shared: Promise<SigningKey> | undefined;

/** One RS256 key per process, so tokens stay valid across simulator restarts inside a test run. */
export function signingKey(): Promise<SigningKey> {
  shared ??= (async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256", {
      extractable: true,
      modulusLength: 2048,
    });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return { kid, privateKey, publicJwk: { ...jwk, kid, use: "sig", alg: "RS256", kty: "RSA" } };
  })();
  return shared;
}

export async function jwks(): Promise<{ keys: JWK[] }> {
  const key = await signingKey();
  return { keys: [key.publicJwk] };
}

/** Signs claims as Entra does: RS256, `typ: JWT`, `kid` naming the JWKS key. */
export async function signToken(claims: Record<string, unknown>): Promise<string> {
  const key = await signingKey();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid })
    .sign(key.privateKey);
}
