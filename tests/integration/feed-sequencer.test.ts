import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeedSequencer } from "../../api/feed/sequencer.ts";
import { StoreError } from "../../api/store/errors.ts";
import type { Store } from "../../api/store/store.ts";
import { startTestStore } from "../support/stack.ts";

const TENANT = "33333333-3333-3333-3333-333333333333";

/**
 * A written block is closed lazily, together with the tenant's next state change. If that change fails, the
 * block must still be closed later: otherwise it holds every reader's horizon back until it expires.
 */
describe("feed sequencer: closing written blocks", () => {
  let stack: Awaited<ReturnType<typeof startTestStore>>;
  let store: Store;
  beforeAll(async () => {
    stack = await startTestStore();
    store = stack.store;
  });
  afterAll(() => stack?.close());

  it("closes a written block after the change that was to close it failed", async () => {
    const sequencer = new FeedSequencer(store, Date.now, 120_000, 50);
    const block = await sequencer.reserve(TENANT, 10, "writer");
    sequencer.releaseSoon(TENANT, block.id);

    // The next change of the state fails once, as when the database stays unreachable beyond its retries.
    const replace = store.feedState.replace.bind(store.feedState);
    let failures = 0;
    store.feedState.replace = async (...args) => {
      if (failures === 0) {
        failures++;
        throw new StoreError("The database is busy or unreachable right now", "unavailable");
      }
      return replace(...args);
    };
    try {
      await expect(sequencer.reserve(TENANT, 5, "next writer")).rejects.toThrow("unreachable");
      expect(failures).toBe(1);
      // Retried on its own a few seconds later: the block closes without waiting 2 minutes to expire.
      const deadline = Date.now() + 15_000;
      let open = (await store.feedState.get(TENANT, "feed"))?.open ?? [];
      while (open.some((r) => r.id === block.id) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        open = (await store.feedState.get(TENANT, "feed"))?.open ?? [];
      }
      expect(open.map((r) => r.id)).not.toContain(block.id);
      expect(FeedSequencer.horizonOf((await store.feedState.get(TENANT, "feed")) as never)).toBe(block.to);
    } finally {
      store.feedState.replace = replace;
    }
  });
});
