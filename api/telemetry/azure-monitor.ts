import { shutdownAzureMonitor, useAzureMonitor } from "@azure/monitor-opentelemetry";

/**
 * Sends the product's traces and metrics (and HTTP server spans) to Application Insights. Called once,
 * before the server's modules load, and only when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
 * Cosmos DB calls are traced by the store itself (one span per request, with the tenant's partition),
 * so the distribution's own Azure SDK tracing is off to avoid a second span per call.
 */
export function startAzureMonitor(connectionString: string): () => Promise<void> {
  // biome-ignore lint/correctness/useHookAtTopLevel: the Azure Monitor distribution's setup call, not a React hook.
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    instrumentationOptions: { azureSdk: { enabled: false }, http: { enabled: true } },
    enableLiveMetrics: false,
  });
  return () => shutdownAzureMonitor();
}
