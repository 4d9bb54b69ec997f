import {
  DEMO_CUSTOMER_APP,
  DEMO_CUSTOMER_APP_PERMISSIONS,
  DEMO_TENANT_ID,
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from "../../sim/index.ts";
import { localCertificate } from "./stack.ts";

/** A simulated Entra tenant on a random port, served over https with the trusted local certificate. */
export async function startTestSimulator(
  options: Omit<SimulatorOptions, "tls"> = {},
): Promise<RunningSimulator> {
  const tls = await localCertificate();
  return startSimulator({ tls: { cert: tls.cert, key: tls.key }, ...options });
}

/**
 * Consents the demo tenant's own app again without one application permission, as an admin who removed it
 * would; returns what puts the full consent back. Tokens issued before keep their roles until they expire.
 */
export function withholdAppPermission(sim: RunningSimulator, permission: string): () => void {
  sim.directory.revokeConsent(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId);
  sim.directory.grantAppPermissions(
    DEMO_TENANT_ID,
    DEMO_CUSTOMER_APP.clientId,
    DEMO_CUSTOMER_APP_PERMISSIONS.filter((p) => p !== permission),
  );
  return () =>
    sim.directory.grantAppPermissions(DEMO_TENANT_ID, DEMO_CUSTOMER_APP.clientId, [
      ...DEMO_CUSTOMER_APP_PERMISSIONS,
    ]);
}
