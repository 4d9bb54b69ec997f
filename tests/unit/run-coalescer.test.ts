import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { RunCoalescer, type RunStart } from "../../api/live/coalescer.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const silent = pino({ level: "silent" });

/** Notifications arrive as Graph posts them; runs are counted where the sync service would start them. */
describe("coalescing change notifications into runs", () => {
  it("a steady stream of 1,000 notifications in a second becomes a few runs, one per maximum delay", async () => {
    const runs: number[] = [];
    const coalescer = new RunCoalescer(
      async () => {
        runs.push(Date.now());
        return "started";
      },
      silent,
      { quietMs: 100, maxDelayMs: 300 },
    );
    const start = Date.now();
    for (let i = 0; i < 1000; i++) {
      coalescer.request("t", "c");
      if (i % 10 === 9) await sleep(10);
    }
    const streamed = Date.now() - start;
    await sleep(400);
    // The stream never pauses for 100 ms, so only the ceiling starts runs: about one per 300 ms, plus the last.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(streamed / 300) + 2);
    await coalescer.stop();
  });

  it("waits for quiet: a short burst is one run after the burst", async () => {
    let runs = 0;
    const coalescer = new RunCoalescer(
      async () => {
        runs++;
        return "started";
      },
      silent,
      {
        quietMs: 50,
        maxDelayMs: 1000,
      },
    );
    for (let i = 0; i < 200; i++) coalescer.request("t", "c");
    await sleep(20);
    expect(runs).toBe(0);
    await sleep(100);
    expect(runs).toBe(1);
    await coalescer.stop();
  });

  it("keeps connections apart and asks again while another run holds the connection", async () => {
    const outcomes: RunStart[] = ["busy", "busy", "started"];
    const started: string[] = [];
    const coalescer = new RunCoalescer(
      async (_t, c) => {
        if (c === "a") {
          const next = outcomes.shift() ?? "started";
          if (next === "started") started.push(c);
          return next;
        }
        started.push(c);
        return "started";
      },
      silent,
      { quietMs: 10, maxDelayMs: 50, busyRetryMs: 20 },
    );
    coalescer.request("t", "a");
    coalescer.request("t", "b");
    await sleep(150);
    expect(started.sort()).toEqual(["a", "b"]);
    expect(coalescer.stats.runsStarted).toBe(2);
    await coalescer.stop();
  });

  it("a refused run (connection switched off) is not retried, and nothing starts after stop", async () => {
    let calls = 0;
    const coalescer = new RunCoalescer(
      async () => {
        calls++;
        return "refused";
      },
      silent,
      {
        quietMs: 10,
        busyRetryMs: 10,
      },
    );
    coalescer.request("t", "c");
    await sleep(80);
    expect(calls).toBe(1);
    coalescer.request("t", "c");
    await coalescer.stop();
    await sleep(50);
    expect(calls).toBe(1);
  });
});
