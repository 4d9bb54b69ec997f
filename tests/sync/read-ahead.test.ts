import { describe, expect, it } from "vitest";
import { readAhead } from "../../api/sync/read-ahead.ts";

/** A source that logs when each item is asked for and when it is closed. */
function source(items: number[], log: string[], failAt?: number) {
  return (async function* () {
    try {
      for (const item of items) {
        log.push(`read ${item}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (item === failAt) throw new Error(`reading ${item} failed`);
        yield item;
      }
    } finally {
      log.push("closed");
    }
  })();
}

describe("readAhead", () => {
  it("hands over every item in order, reading the next one while the caller works on the current", async () => {
    const log: string[] = [];
    for await (const item of readAhead(source([1, 2, 3], log))) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`used ${item}`);
    }
    // The source is done (and closed) while the caller still works on the last item.
    expect(log).toEqual(["read 1", "read 2", "used 1", "read 3", "used 2", "closed", "used 3"]);
  });

  it("reads no more than one item ahead", async () => {
    const log: string[] = [];
    for await (const item of readAhead(source([1, 2, 3, 4], log))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      log.push(`used ${item}`);
      const reads = log.filter((l) => l.startsWith("read")).length;
      expect(reads).toBeLessThanOrEqual(item + 1);
    }
  });

  it("raises a failed read ahead where the caller reaches it, not while the caller is busy", async () => {
    const log: string[] = [];
    const used: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(source([1, 2, 3], log, 2))) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          used.push(item);
        }
      })(),
    ).rejects.toThrow("reading 2 failed");
    expect(used).toEqual([1]);
    expect(log.at(-1)).toBe("closed");
  });

  it("closes the source when the caller stops early", async () => {
    const log: string[] = [];
    for await (const item of readAhead(source([1, 2, 3], log))) if (item === 1) break;
    expect(log).toEqual(["read 1", "read 2", "closed"]);
  });
});
