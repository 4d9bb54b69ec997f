import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { describe, expect, it } from "vitest";
import { emptyGraphStats } from "../../api/graph/stats.ts";
import { Pacer, ThrottleHandler } from "../../api/graph/throttle-handler.ts";
import { graphRetrySettings } from "../../api/retry/policy.ts";

/** Answers each request with the next status in line (the last one for ever), with Graph's Retry-After. */
function answering(statuses: number[], retryAfter = "2") {
  const sent = { count: 0 };
  const next: Middleware = {
    execute: async (context: Context) => {
      const status = statuses[Math.min(sent.count++, statuses.length - 1)] as number;
      context.response = new Response(JSON.stringify({ status }), {
        status,
        headers: status === 200 ? {} : { "retry-after": retryAfter },
      });
    },
  };
  return { next, sent };
}

function handler(
  statuses: number[],
  retryAfter?: string,
  request: { url: string; method: string } = { url: "https://graph.example/v1.0/users", method: "GET" },
) {
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
  };
  const stats = emptyGraphStats();
  const throttle = new ThrottleHandler({ ...graphRetrySettings(), sleep }, stats, new Pacer(sleep));
  const { next, sent } = answering(statuses, retryAfter);
  throttle.setNext(next);
  const context: Context = { request: request.url, options: { method: request.method } };
  return { throttle, context, stats, slept, sent };
}

describe("Graph requests Graph throttles", () => {
  it("are sent again after Graph's Retry-After, and counted", async () => {
    const { throttle, context, stats, slept, sent } = handler([429, 503, 200]);
    await throttle.execute(context);
    expect(context.response?.status).toBe(200);
    expect(sent.count).toBe(3);
    expect(stats).toMatchObject({ requests: 3, throttled: 1, retries: 2 });
    // Each Retry-After once; the pacer's pause after the 429 has passed by the time the wait is over.
    expect(slept.filter((ms) => ms === 2000).length).toBeGreaterThanOrEqual(2);
  });

  it("hand Graph's last answer on after six retries, so the client reports the run as throttled", async () => {
    const { throttle, context, stats, sent } = handler([429], "0");
    await throttle.execute(context);
    expect(context.response?.status).toBe(429);
    expect(await context.response?.json()).toEqual({ status: 429 });
    expect(sent.count).toBe(7);
    expect(stats).toMatchObject({ requests: 7, throttled: 6, retries: 6 });
  });

  it("pass any other answer on at once", async () => {
    const { throttle, context, stats, slept } = handler([404]);
    await throttle.execute(context);
    expect(context.response?.status).toBe(404);
    expect(stats).toMatchObject({ requests: 1, throttled: 0, retries: 0 });
    expect(slept).toEqual([]);
  });

  it("never wait longer than a minute at a time, whatever Graph asks", async () => {
    const { throttle, context, slept } = handler([429, 200], "3600");
    await throttle.execute(context);
    expect(Math.max(...slept)).toBe(60_000);
  });

  it("send a write again only after 429: a 503 or 504 may come after the subscription was created", async () => {
    const create = { url: "https://graph.example/v1.0/subscriptions", method: "POST" };
    const timedOut = handler([504, 201], "0", create);
    await timedOut.throttle.execute(timedOut.context);
    expect(timedOut.context.response?.status).toBe(504);
    expect(timedOut.sent.count).toBe(1);

    const throttled = handler([429, 201], "0", create);
    await throttled.throttle.execute(throttled.context);
    expect(throttled.context.response?.status).toBe(201);
    expect(throttled.sent.count).toBe(2);
  });

  it("treat $batch, whose parts are reads, as a read", async () => {
    const batch = handler([503, 200], "0", { url: "https://graph.example/v1.0/$batch", method: "POST" });
    await batch.throttle.execute(batch.context);
    expect(batch.context.response?.status).toBe(200);
    expect(batch.sent.count).toBe(2);
  });
});
