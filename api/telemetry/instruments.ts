import {
  type Counter,
  type Histogram,
  type MeterProvider,
  metrics,
  type ObservableGauge,
  trace,
} from "@opentelemetry/api";

/**
 * The product's traces and metrics, through the OpenTelemetry API only: whoever starts the process decides
 * where they go (Application Insights in production, an in-memory exporter in tests, nowhere otherwise).
 * Attributes carry ids and counts, never tokens, secrets, mail addresses or request bodies.
 */
const SCOPE = "entra-directory-sync";

export const tracer = () => trace.getTracer(SCOPE);

export interface Instruments {
  syncDuration: Histogram;
  recordsWritten: Counter;
  graphThrottled: Counter;
  queueDepth: ObservableGauge;
  webhookDeliveries: Counter;
}

/** What one webhook delivery attempt came to: accepted, to be tried again, or given up. */
export type WebhookOutcome = "delivered" | "retrying" | "failed";

let built: { provider: MeterProvider; instruments: Instruments } | undefined;
let queued = 0;

/** The instruments of the meter provider registered now (the API hands out no-op meters before one is). */
export function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (built?.provider === provider) return built.instruments;
  const meter = provider.getMeter(SCOPE);
  const queueDepth = meter.createObservableGauge("directory_sync.queue.depth", {
    description: "Sync tasks waiting for a worker (queued), as last seen by this instance",
  });
  queueDepth.addCallback((result) => result.observe(queued));
  built = {
    provider,
    instruments: {
      syncDuration: meter.createHistogram("directory_sync.task.duration", {
        unit: "s",
        description: "Wall time of a sync task, by type and final status",
      }),
      recordsWritten: meter.createCounter("directory_sync.records.written", {
        description: "Profiles and lists created, updated, deleted or restored by sync tasks",
      }),
      graphThrottled: meter.createCounter("directory_sync.graph.throttled", {
        description: "Microsoft Graph answers with status 429 (each is retried after Retry-After)",
      }),
      queueDepth,
      // Attributes are the outcome and the event type only: an endpoint's URL may carry a receiver's secret.
      webhookDeliveries: meter.createCounter("directory_sync.webhook.deliveries", {
        description: "Webhook delivery attempts, by outcome (delivered, retrying, failed) and event type",
      }),
    },
  };
  return built.instruments;
}

/** Called by the scan that picks up waiting tasks; reported at the next metrics collection. */
export function observeQueueDepth(count: number): void {
  queued = count;
}
