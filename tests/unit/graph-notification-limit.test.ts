import type { AddressInfo } from "node:net";
import express from "express";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorHandler } from "../../api/http/problem.ts";
import { graphNotificationRoutes } from "../../api/http/routes/graph-notification-routes.ts";
import type { GraphNotification } from "../../api/live/notifications.ts";

const TENANT = "11111111-2222-3333-4444-555555555555";
const KNOWN_SUBSCRIPTION = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const WINDOW_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The notification endpoint is public, and every refused notification costs a lookup. A forger who keeps
 * posting is slowed at the door; Graph's real notifications, which are never refused, are not counted.
 */
describe("Graph notification endpoint under a flood of forgeries", () => {
  let url: string;
  let server: ReturnType<express.Express["listen"]>;
  const handled: GraphNotification[][] = [];

  beforeAll(async () => {
    const logger = pino({ level: "silent" });
    const app = express();
    app.use(express.json());
    // Stands in for the notification handler: only the known subscription is accepted.
    const handle = async (items: GraphNotification[]) => {
      handled.push(items);
      return { rejected: items.filter((i) => i.subscriptionId !== KNOWN_SUBSCRIPTION).length };
    };
    app.use(graphNotificationRoutes(handle, logger, { maxRejected: 5, windowMs: WINDOW_MS }));
    app.use(errorHandler(logger));
    await new Promise<void>((resolve) => {
      server = app.listen(0, "127.0.0.1", () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graph/notifications`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (subscriptionIds: string[]) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        value: subscriptionIds.map((subscriptionId) => ({
          subscriptionId,
          clientState: "guess",
          changeType: "updated",
          resource: "Users/x",
          tenantId: TENANT,
        })),
      }),
    });

  it("answers 202 to forgeries until the address is over its limit, then 429 with Retry-After", async () => {
    for (let i = 0; i < 5; i++) expect((await post([crypto.randomUUID()])).status).toBe(202);
    await sleep(200); // refusals are counted after the answer, once the handler has judged them
    const handledBefore = handled.length;
    const refused = await post([KNOWN_SUBSCRIPTION]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = await refused.json();
    expect(body.error.code).toBe("rate-limited");
    expect(body.error.remedy).toMatch(/Try again in \d+ seconds/);
    expect(handled.length).toBe(handledBefore); // the body was never handed on
  });

  it("still answers Graph's validation request from an address over the limit", async () => {
    const validation = await fetch(
      `${url}?validationToken=${encodeURIComponent("Validation: Testing client")}`,
      {
        method: "POST",
      },
    );
    expect(validation.status).toBe(200);
    expect(await validation.text()).toBe("Validation: Testing client");
  });

  it("lets the address in again once the window has passed", async () => {
    await sleep(WINDOW_MS + 200);
    expect((await post([KNOWN_SUBSCRIPTION])).status).toBe(202);
  });

  it("never counts accepted notifications, however many", async () => {
    await sleep(WINDOW_MS + 200);
    for (let i = 0; i < 20; i++)
      expect((await post([KNOWN_SUBSCRIPTION, KNOWN_SUBSCRIPTION])).status).toBe(202);
    await sleep(200);
    expect((await post([KNOWN_SUBSCRIPTION])).status).toBe(202);
  });

  it("counts every refused item of one collection, so one large post cannot hide many forgeries", async () => {
    await sleep(WINDOW_MS + 200);
    const many = Array.from({ length: 6 }, () => crypto.randomUUID());
    expect((await post(many)).status).toBe(202);
    await sleep(200);
    expect((await post([KNOWN_SUBSCRIPTION])).status).toBe(429);
  });
});
