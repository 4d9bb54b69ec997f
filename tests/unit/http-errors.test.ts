import type { AddressInfo } from "node:net";
import { Router } from "express";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createHttpApp } from "../../api/http/app.ts";
import { StoreError, translateCosmosError } from "../../api/store/errors.ts";

/** What a person sees when the database is the problem: a status that says so, a cause and a remedy. */
describe("store failures as HTTP answers", () => {
  it("busy or unreachable database → 503 with Retry-After; too large → 413; never a stack trace", async () => {
    const routes = Router();
    routes.get("/busy", () => translateCosmosError({ code: 429 }, "Task"));
    routes.get("/down", () => translateCosmosError({ code: "ECONNREFUSED" }, "Task"));
    routes.get("/big", () => {
      throw new StoreError("Connection settings are too large to store", "too-large");
    });
    const app = createHttpApp({
      logger: pino({ level: "silent" }),
      checks: [],
      publicRoutes: [routes],
      authenticate: (_req, _res, next) => next(),
      apiRoutes: [],
      tabDist: "does-not-exist",
    });
    const server = app.listen(0);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ["/busy", "/down"]) {
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBe("5");
        expect(await res.json()).toEqual({
          error: {
            code: "unavailable",
            message: "The database is busy or unreachable right now",
            remedy: "Try again in a few seconds.",
          },
        });
      }
      const big = await fetch(`${base}/big`);
      expect(big.status).toBe(413);
      const body = (await big.json()) as { error: { remedy: string; stack?: string } };
      expect(body.error.remedy).toMatch(/Store less/);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      server.close();
    }
  });
});
