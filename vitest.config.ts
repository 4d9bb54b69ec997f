import { defineConfig } from "vitest/config";
import { ensureLocalCertificate } from "./sim/tls.ts";

// Tests talk https to the local Cosmos server and the Entra simulator; worker processes inherit this
// variable, so Node trusts the generated localhost certificate exactly as `npm start` does.
const certificate = await ensureLocalCertificate(".local/tls");
process.env.NODE_EXTRA_CA_CERTS = certificate.certPath;

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    env: { NODE_EXTRA_CA_CERTS: certificate.certPath, LOG_LEVEL: "silent" },
  },
});
