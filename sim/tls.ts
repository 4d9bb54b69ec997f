import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface LocalCertificate {
  certPath: string;
  cert: string;
  key: string;
}

/**
 * The local stand-ins (Cosmos-protocol server, Entra simulator) are served over https, because msal-node
 * only accepts https authorities and the Cosmos SDK only speaks https. One self-signed certificate for
 * localhost serves both; processes trust it through NODE_EXTRA_CA_CERTS, the standard Node mechanism,
 * so production code needs no special case.
 */
export async function ensureLocalCertificate(dir: string): Promise<LocalCertificate> {
  const certPath = join(dir, "localhost.crt");
  const keyPath = join(dir, "localhost.key");
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, "utf8");
    const validTo = new Date(new X509Certificate(cert).validTo).getTime();
    if (validTo - Date.now() > 7 * 24 * 3600 * 1000) {
      return { certPath, cert, key: readFileSync(keyPath, "utf8") };
    }
  }
  mkdirSync(dir, { recursive: true });
  const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  return { certPath, cert: pems.cert, key: pems.private };
}
