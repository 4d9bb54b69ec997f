import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalKeyWrapper, SecretBox } from "../../api/auth/secrets.ts";
import { EventBus } from "../../api/events.ts";
import { ChangeFeed } from "../../api/feed/change-feed.ts";
import type { EventDoc } from "../../api/store/documents.ts";
import { retryDelay, WebhookDispatcher } from "../../api/webhooks/dispatcher.ts";
import { WebhookEndpoints } from "../../api/webhooks/endpoints.ts";
import { deliver } from "../../api/webhooks/sender.ts";
import { startTestStore } from "../support/stack.ts";

const T = "2f1c7a3e-4b9d-4e61-8a52-6d0c3b9e7f14";
const ADMIN = { oid: "admin", name: "Admin" };
const DAY = 86_400_000;

interface Received {
  headers: Record<string, string>;
  body: string;
}

async function receiver(status: () => number) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(status(), { "content-type": "text/plain" }).end(`answer ${received.length}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}

describe("webhook delivery", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  let clock = Date.now();
  const now = () => clock;
  let feed: ChangeFeed;
  let endpoints: WebhookEndpoints;
  let dispatcher: WebhookDispatcher;
  const alerts: EventDoc[] = [];

  beforeAll(async () => {
    stack = await startTestStore();
    feed = new ChangeFeed(stack.store, { retentionDays: 30, now });
    endpoints = new WebhookEndpoints(stack.store, new SecretBox(new LocalKeyWrapper(randomBytes(32))), feed, {
      allowPrivate: true,
      now,
    });
    const bus = new EventBus(stack.store);
    bus.subscribe((e) => {
      alerts.push(e);
    });
    dispatcher = new WebhookDispatcher(stack.store, feed, endpoints, bus, {
      allowPrivate: true,
      owner: "test",
      now,
      baseDelayMs: 1000,
      disableAfterMs: 3 * DAY,
      random: () => 0.5,
    });
  });
  afterAll(() => stack?.close());

  const notice = (n: number) =>
    feed.append(T, {}, [
      {
        eventType: "connection.sync_finished",
        object: { kind: "connection", id: "c1" },
        data: {
          object: "connection",
          id: "c1",
          taskId: `t${n}`,
          status: "sync-finished",
          summary: `run ${n}`,
        },
      },
    ]);

  it("retries with growing, jittered delays and signs each attempt so standardwebhooks verifies it", async () => {
    const delays = [1, 2, 3, 4, 5, 20].map((a) => retryDelay(a, 1000, 60_000, Math.random));
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(delays[4]).toBeGreaterThanOrEqual(8000);
    expect(delays[5]).toBeLessThanOrEqual(60_000);

    let fail = true;
    const r = await receiver(() => (fail ? 503 : 204));
    const { doc, secret } = await endpoints.create(T, ADMIN, { url: r.url });
    await notice(1);
    expect(await dispatcher.tick()).toBe(1);
    expect(await dispatcher.tick()).toBe(0); // not due yet
    clock += 1000;
    fail = false;
    expect(await dispatcher.tick()).toBe(1);
    expect(r.received).toHaveLength(2);
    const [first, second] = r.received as [Received, Received];
    expect(first.headers["webhook-id"]).toBe(second.headers["webhook-id"]);
    const verified = new Webhook(secret).verify(second.body, second.headers) as { type: string; id: string };
    expect(verified.type).toBe("connection.sync_finished");
    expect(verified.id).toBe(second.headers["webhook-id"]);
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(second.body, second.headers),
    ).toThrow();
    const [delivery] = await stack.store.webhookDeliveries.all(T, {
      where: "c.endpointId = @e",
      parameters: [{ name: "@e", value: doc.id }],
    });
    expect(delivery?.status).toBe("delivered");
    expect(delivery?.attempts.map((a) => a.status)).toEqual([503, 204]);
    expect(delivery?.attempts[0]?.excerpt).toBe("answer 1");

    // A rotation: both secrets sign for a day, so the receiver can switch over.
    const rotated = await endpoints.rotateSecret(T, doc.id, ADMIN);
    await notice(2);
    await dispatcher.tick();
    const last = r.received.at(-1) as Received;
    expect(last.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(() => new Webhook(secret).verify(last.body, last.headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(last.body, last.headers)).not.toThrow();
    await endpoints.remove(T, doc.id, ADMIN);
    await r.close();
  });

  it("an endpoint failing for days is switched off and admins are alerted", async () => {
    const r = await receiver(() => 500);
    const { doc } = await endpoints.create(T, ADMIN, { url: r.url });
    await notice(3);
    await dispatcher.tick();
    expect((await stack.store.webhookEndpoints.require(T, doc.id)).failingSince).toBeDefined();
    clock += 2 * DAY;
    await dispatcher.tick();
    expect((await stack.store.webhookEndpoints.require(T, doc.id)).status).toBe("enabled");
    clock += 2 * DAY;
    await dispatcher.tick();
    const off = await stack.store.webhookEndpoints.require(T, doc.id);
    expect(off.status).toBe("disabled");
    expect(off.disabled?.reason).toContain("failed");
    const alert = alerts.find((a) => a.kind === "webhook-disabled");
    expect(alert?.webhookEndpointId).toBe(doc.id);
    expect(alert?.problem?.remedy).toContain("redeliver");
    const attempts = r.received.length;
    clock += DAY;
    expect(await dispatcher.tick()).toBe(0);
    expect(r.received.length).toBe(attempts);
    await r.close();
  });

  it("refuses loopback, private and link-local addresses unless local development allows them", async () => {
    const r = await receiver(() => 200);
    const port = new URL(r.url).port;
    const production = { allowPrivate: false };
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://[::1]:${port}/`,
      "http://169.254.169.254/latest/meta-data",
      "http://10.0.0.5/",
      "http://192.168.1.1/",
      "http://[::ffff:127.0.0.1]/",
    ]) {
      const attempt = await deliver(url, {}, "{}", production);
      expect(attempt.status, url).toBe(0);
      expect(attempt.excerpt, url).toMatch(/loopback|private|linkLocal/);
    }
    expect(r.received).toHaveLength(0);
    expect((await deliver(`http://127.0.0.1:${port}/`, {}, "{}", { allowPrivate: true })).status).toBe(200);
    const strict = new WebhookEndpoints(
      stack.store,
      new SecretBox(new LocalKeyWrapper(randomBytes(32))),
      feed,
      { allowPrivate: false },
    );
    await expect(strict.create(T, ADMIN, { url: "http://example.com/hook" })).rejects.toThrow("https");
    await r.close();
  });
});
