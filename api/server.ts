/**
 * The production server (App Service runs `node server/api/server.js` from the bundle `npm run build`
 * writes to dist/): configuration from the environment only, every required variable present or the start
 * is refused with each missing one named. No local stand-ins, nothing generated. SIGTERM stops accepting
 * requests, hands running syncs back to the queue and exits.
 */
import { fileURLToPath } from "node:url";
import { ConfigError, loadProductionConfig } from "./config/config.ts";

let config: ReturnType<typeof loadProductionConfig>;
try {
  config = loadProductionConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`${err.message}\nThe server did not start.`);
  process.exit(2);
}

// Telemetry first, so the HTTP instrumentation sees the modules loaded after it.
const stopTelemetry = config.APPLICATIONINSIGHTS_CONNECTION_STRING
  ? (await import("./telemetry/azure-monitor.ts")).startAzureMonitor(
      config.APPLICATIONINSIGHTS_CONNECTION_STRING,
    )
  : async () => undefined;

const { startApi } = await import("./app/start.ts");
// The bundle's layout: dist/server/api/server.js beside dist/tab/.
const api = await startApi(config, {
  tabDist: fileURLToPath(new URL("../../tab", import.meta.url)),
}).catch((err: Error) => {
  // Typically the database or Key Vault refused the app's identity, or could not be reached.
  console.error(
    `The server could not start: ${err.message}\nCheck COSMOS_ENDPOINT and ENCRYPTION_KEY_ID, and that the app's managed identity (AZURE_CLIENT_ID) holds its roles on the Cosmos account and the key (infra/README.md).`,
  );
  process.exit(1);
});
api.logger.info({ url: api.url, publicUrl: config.publicUrl }, "directory sync API listening");
const stop = async () => {
  await api.close();
  await stopTelemetry().catch(() => undefined);
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
