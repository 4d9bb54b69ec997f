/**
 * Production entry point (App Service, Container Apps): configuration from the environment, no local
 * stand-ins. SIGTERM stops accepting requests, hands running syncs back to the queue and exits.
 */
import { startApi } from "./app/start.ts";
import { ConfigError, loadConfig } from "./config/config.ts";

try {
  const api = await startApi(loadConfig());
  api.logger.info({ url: api.url }, "directory sync API listening");
  const stop = async () => {
    await api.close();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
