import { type RunningSimulator, type SimulatorOptions, startSimulator } from "../../sim/index.ts";
import { localCertificate } from "./stack.ts";

/** A simulated Entra tenant on a random port, served over https with the trusted local certificate. */
export async function startTestSimulator(
  options: Omit<SimulatorOptions, "tls"> = {},
): Promise<RunningSimulator> {
  const tls = await localCertificate();
  return startSimulator({ tls: { cert: tls.cert, key: tls.key }, ...options });
}
