import { describe, expect, it } from "vitest";
import type { PlannedEvent } from "../../api/feed/change-feed.ts";
import type { TaskDoc } from "../../api/store/documents.ts";
import type { Store } from "../../api/store/store.ts";
import type { WriteContext } from "../../api/sync/context.ts";
import { writeWithEvents } from "../../api/sync/reconciler/change-events.ts";
import { emptyCounters, TaskReporter } from "../../api/sync/task-reporter.ts";

/**
 * A run's task records and the change feed's events are written side by side before the directory's
 * documents: records and events are independent, but a document must never land before its record (a killed
 * run's records would then miss a change it made).
 */
const profileChange: PlannedEvent = {
  eventType: "profile.created",
  object: { kind: "profile", id: "p1" } as PlannedEvent["object"],
  data: {},
};

/** A write that stays open until the test lets it finish, and logs when it starts and ends. */
function gate(log: string[], name: string) {
  let release!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return {
    run: async () => {
      log.push(`${name} started`);
      await done;
      log.push(`${name} done`);
    },
    release,
    fail,
  };
}

function contextWith(log: string[], options: { preview?: boolean; feed?: boolean }) {
  const records = gate(log, "records");
  const events = gate(log, "events");
  const ctx = {
    preview: options.preview ?? false,
    taskId: "t1",
    connection: { tenantId: "tenant", id: "c1", kind: "entra" },
    settings: {},
    reporter: { flushRecords: records.run, task: { trigger: "manual" } },
    ...(options.feed === false
      ? {}
      : {
          feed: {
            write: async (
              _t: string,
              _o: string,
              _c: unknown,
              _e: PlannedEvent[],
              writeDocs: () => Promise<void>,
            ) => {
              await events.run();
              await writeDocs();
            },
          },
        }),
  } as unknown as WriteContext;
  return { ctx, records, events };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("writing a change with its records and events", () => {
  it("writes the records while the events are written, and the documents only after both", async () => {
    const log: string[] = [];
    const { ctx, records, events } = contextWith(log, {});
    const written = writeWithEvents(ctx, [profileChange], async () => {
      log.push("documents written");
    });
    await tick();
    expect(log).toEqual(["records started", "events started"]);
    events.release();
    await tick();
    expect(log).not.toContain("documents written");
    records.release();
    await written;
    expect(log.indexOf("documents written")).toBeGreaterThan(log.indexOf("records done"));
    expect(log.indexOf("documents written")).toBeGreaterThan(log.indexOf("events done"));
  });

  it("writes no document when the records could not be written, and says why", async () => {
    const log: string[] = [];
    const { ctx, records, events } = contextWith(log, {});
    const written = writeWithEvents(ctx, [profileChange], async () => {
      log.push("documents written");
    });
    await tick();
    records.fail(new Error("store unavailable"));
    events.release();
    await expect(written).rejects.toThrow("store unavailable");
    expect(log).not.toContain("documents written");
  });

  it("writes the records, then the documents, when the run has no feed", async () => {
    const log: string[] = [];
    const { ctx, records } = contextWith(log, { feed: false });
    const written = writeWithEvents(ctx, [profileChange], async () => {
      log.push("documents written");
    });
    await tick();
    expect(log).toEqual(["records started"]);
    records.release();
    await written;
    expect(log).toEqual(["records started", "records done", "documents written"]);
  });

  it("writes only the records in a preview", async () => {
    const log: string[] = [];
    const { ctx, records } = contextWith(log, { preview: true });
    const written = writeWithEvents(ctx, [profileChange], async () => {
      log.push("documents written");
    });
    records.release();
    await written;
    expect(log).toEqual(["records started", "records done"]);
  });

  it("a flush with nothing left to write still waits for the flush already writing the records", async () => {
    const log: string[] = [];
    const store = gate(log, "first flush");
    const reporter = new TaskReporter(
      { taskRecords: { bulkUpsert: store.run } } as unknown as Store,
      {
        id: "t1",
        tenantId: "tenant",
        connectionId: "c1",
        counters: { users: emptyCounters(), lists: emptyCounters() },
        progress: { phase: "writing users", processed: 0 },
      } as unknown as TaskDoc,
    );
    reporter.record({
      kind: "user",
      sourceId: "u1",
      name: "Ada",
      action: "created",
      reason: "new in Entra ID",
    });
    // A progress save is writing the record when the write of its document asks for the records.
    const saving = reporter.flushRecords(true);
    const before = reporter.flushRecords(true).then(() => log.push("documents may be written"));
    await tick();
    expect(log).toEqual(["first flush started"]);
    store.release();
    await Promise.all([saving, before]);
    expect(log).toEqual(["first flush started", "first flush done", "documents may be written"]);
  });
});
