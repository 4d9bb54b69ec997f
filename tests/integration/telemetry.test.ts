import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskDoc } from "../../api/store/documents.ts";
import { DEMO_CUSTOMER_APP, DEMO_TENANT_ID, PRODUCT_APP } from "../../sim/index.ts";
import { type FullStack, pollUntil, startFullStack } from "../support/full-stack.ts";

/**
 * The product's telemetry as an operator's Application Insights would receive it, captured by the
 * OpenTelemetry SDK's in-memory exporters instead: a sync task started through the API must be one trace
 * whose Graph and Cosmos calls are its spans, carrying the tenant and task ids and no secret at all. The
 * task's changes go out to a webhook receiver registered by an API client; its deliveries are counted too.
 */
describe("telemetry of a sync task", () => {
  const spans = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  let s: FullStack;
  let admin: string;
  let task: TaskDoc;
  let receiver: Server;
  /** Bodies the receiver accepted; it refuses the very first delivery, so that one is retried. */
  const accepted: string[] = [];
  let refused = 0;
  /** A receiver secret in the endpoint's URL, as some receivers authenticate their senders. */
  const RECEIVER_TOKEN = "receiver-secret-4f1d9a7c";
  let webhookSecret = "";
  let apiKey = "";
  let endpointId = "";

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
    );
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        if (refused === 0) {
          refused++;
          res.writeHead(503).end("busy");
          return;
        }
        accepted.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    s = await startFullStack({
      env: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true", WEBHOOK_RETRY_BASE_MS: "100" },
    });
    admin = await s.adminToken();
    const key = await s.api("/api/api-keys", {
      token: admin,
      method: "POST",
      json: { name: "Mirror", scopes: ["webhooks:manage"] },
    });
    expect(key.status, key.text).toBe(201);
    const port = (receiver.address() as AddressInfo).port;
    apiKey = key.body.key;
    const endpoint = await s.api("/api/v1/webhooks", {
      token: apiKey,
      method: "POST",
      json: { url: `http://127.0.0.1:${port}/hook?token=${RECEIVER_TOKEN}` },
    });
    expect(endpoint.status, endpoint.text).toBe(201);
    webhookSecret = endpoint.body.secret;
    endpointId = endpoint.body.id;
    // One throttled answer from Graph, retried after its Retry-After, as happens in large tenants.
    s.sim.directory.injectFault({
      method: "GET",
      pathPattern: "^/v1\\.0/users\\?",
      status: 429,
      code: "TooManyRequests",
      message: "Too many requests",
      retryAfterSeconds: 1,
      times: 1,
    });
    const created = await s.createDemoConnection(admin);
    spans.reset();
    const started = await s.api(`/api/connections/${created.body.id}/tasks`, {
      token: admin,
      method: "POST",
      json: { type: "full" },
    });
    expect(started.status, started.text).toBe(202);
    task = await s.waitForTask(started.body.id);
    expect(task.status, JSON.stringify(task.error)).toBe("succeeded");
    // The task's span ends once the worker has announced the result, just after the status is written.
    await pollUntil("the task's span to end", async () =>
      spans.getFinishedSpans().some((span) => span.name === "sync task") ? true : undefined,
    );
  });

  afterAll(async () => {
    await s?.close();
    await new Promise((r) => receiver?.close(r));
    trace.disable();
    metrics.disable();
    context.disable();
  });

  const taskSpan = () => {
    const found = spans.getFinishedSpans().filter((span) => span.name === "sync task");
    expect(found).toHaveLength(1);
    return found[0] as ReadableSpan;
  };
  const inTrace = (root: ReadableSpan) =>
    spans.getFinishedSpans().filter((span) => span.spanContext().traceId === root.spanContext().traceId);

  it("is one trace, its root the task with the tenant, connection and task ids and the outcome", () => {
    const root = taskSpan();
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.attributes).toMatchObject({
      "tenant.id": DEMO_TENANT_ID,
      "connection.id": task.connectionId,
      "task.id": task.id,
      "task.type": "full",
      "task.trigger": "manual",
      "task.status": "succeeded",
      "task.users.written": task.counters.users.created,
    });
  });

  it("has a span for every Graph request and every Cosmos request of the task, inside its trace", () => {
    const children = inTrace(taskSpan()).filter((span) => span.name !== "sync task");
    const graph = children.filter((span) => span.name.startsWith("graph "));
    const cosmos = children.filter((span) => span.name.startsWith("cosmos "));
    // Each HTTP request is a span, the throttled one that was retried included (the task counts it too).
    expect(graph.length).toBe(task.graphRequests);
    expect(graph.map((span) => span.attributes["http.response.status_code"])).toContain(429);
    expect(
      graph.filter((span) => span.name === "graph GET /v1.0/users").map((span) => span.attributes),
    ).toEqual([
      expect.objectContaining({ "http.request.method": "GET", "http.response.status_code": 429 }),
      expect.objectContaining({ "url.path": "/v1.0/users", "http.response.status_code": 200 }),
    ]);
    // Bulk writes carry up to a hundred operations per request, so there are fewer spans than operations.
    expect(cosmos.length).toBeGreaterThan(10);
    expect(cosmos.map((span) => span.attributes["db.collection.name"])).toEqual(
      expect.arrayContaining(["profiles", "lists", "tasks", "taskRecords"]),
    );
    expect(cosmos[0]?.attributes).toMatchObject({ "db.system": "cosmosdb" });
  });

  it("records no secret, token, key or mail address in any span", () => {
    const secrets = [
      DEMO_CUSTOMER_APP.clientSecret,
      PRODUCT_APP.clientSecret,
      s.config.COSMOS_KEY ?? "",
      s.config.ENCRYPTION_KEY ?? "",
      s.config.SESSION_SECRET ?? "",
      admin,
      webhookSecret,
      RECEIVER_TOKEN,
    ].filter(Boolean);
    const everything = spans
      .getFinishedSpans()
      .flatMap((span) => [
        span.name,
        ...Object.entries(span.attributes).flatMap(([key, value]) => [key, String(value)]),
        ...span.events.map((e) => JSON.stringify(e)),
      ]);
    expect(everything.length).toBeGreaterThan(100);
    for (const text of everything) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/Bearer|eyJ[\w-]{10,}\.|@M365x214355|\?\$|skiptoken/i);
    }
  });

  it("measures the task's duration, the records it wrote and Graph's throttling", async () => {
    await reader.forceFlush();
    const points = new Map<string, { value: unknown; attributes: Record<string, unknown> }[]>();
    for (const batch of metricExporter.getMetrics())
      for (const scope of batch.scopeMetrics)
        for (const metric of scope.metrics)
          points.set(
            metric.descriptor.name,
            metric.dataPoints.map((p) => ({ value: p.value, attributes: p.attributes })),
          );
    expect(points.get("directory_sync.task.duration")?.[0]).toMatchObject({
      attributes: { "task.type": "full", "task.status": "succeeded" },
      value: expect.objectContaining({ count: 1 }),
    });
    const written = points.get("directory_sync.records.written") ?? [];
    expect(written.find((p) => p.attributes["record.kind"] === "profile")?.value).toBe(
      task.counters.users.created,
    );
    expect(points.get("directory_sync.graph.throttled")?.[0]?.value).toBe(1);
    expect(points.has("directory_sync.queue.depth")).toBe(true);
  });

  it("counts webhook deliveries by outcome, without the endpoint's URL or secrets", async () => {
    // Every change the task published reaches the receiver, the refused first one after its retry, as the
    // API client sees in the endpoint's delivery log.
    const waiting = (status: string) =>
      s.api(`/api/v1/webhooks/${endpointId}/deliveries?status=${status}&limit=1`, { token: apiKey });
    await pollUntil("every delivery of the task's changes to succeed", async () => {
      const pending = await waiting("pending");
      expect(pending.status, pending.text).toBe(200);
      return refused === 1 && accepted.length > 0 && pending.body.data.length === 0 ? true : undefined;
    });
    expect((await waiting("failed")).body.data).toEqual([]);
    expect(accepted.length).toBeGreaterThanOrEqual(task.counters.users.created);
    await reader.forceFlush();
    const metric = metricExporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === "directory_sync.webhook.deliveries");
    const byOutcome = new Map<unknown, number>();
    for (const point of metric?.dataPoints ?? []) {
      const outcome = point.attributes["webhook.outcome"];
      byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + Number(point.value));
      expect(Object.keys(point.attributes).sort()).toEqual(["event.type", "webhook.outcome"]);
      const text = JSON.stringify(point.attributes);
      for (const secret of [RECEIVER_TOKEN, webhookSecret, "127.0.0.1", "/hook"])
        expect(text).not.toContain(secret);
    }
    expect(refused).toBe(1);
    expect(byOutcome.get("retrying")).toBe(1);
    expect(byOutcome.get("delivered")).toBe(accepted.length);
    expect(byOutcome.has("failed")).toBe(false);
  });
});
