import { describe, expect, it } from "vitest";
import { alertEvent, connectionView, taskView } from "../../api/app/bot-views.ts";
import { reauthCard } from "../../bot/cards/reauth.ts";
import { taskCard } from "../../bot/cards/task.ts";
import { planNotification } from "../../bot/notifications.ts";
import { counters, links, makeConnection, makeEvent, makeTask } from "./support/fixtures.ts";

// The composition root hands the bot views instead of stored documents: they must carry everything a card
// shows, and nothing the chat has no business seeing.

const halted = makeTask({
  id: "halt-1",
  status: "halted",
  finishedAt: undefined,
  halt: { wouldDelete: 130, wouldDeactivate: 4, sample: ["Adele Vance"], threshold: "more than 10%" },
  checkpoint: { phase: "users", deltaLink: "https://graph.example.test/delta?token=secret" },
  heartbeatAt: "2025-03-01T08:01:00.000Z",
  throttle: { count: 3, lastAt: "2025-03-01T08:01:30.000Z" },
  notes: ["Guard halted the run."],
});

const TASKS = {
  succeeded: makeTask(),
  "succeeded with errors": makeTask({
    counters: { users: counters({ processed: 5, errors: 2 }), lists: counters({ skipped: 1 }) },
  }),
  failed: makeTask({
    status: "failed",
    error: { code: "auth-lost", message: "Token refused.", remedy: "Reauthorize." },
  }),
  halted,
  "confirmed, queued again": {
    ...halted,
    status: "queued" as const,
    confirmedBy: { oid: "o", name: "MOD Administrator", upn: "admin@contoso.test" },
  },
  running: makeTask({
    status: "running",
    finishedAt: undefined,
    progress: { phase: "users", processed: 200, total: 400 },
  }),
  "never started": makeTask({ status: "queued", startedAt: undefined, finishedAt: undefined }),
};

describe("the bot's task view", () => {
  it.each(Object.entries(TASKS))("gives the same card as the stored task: %s", (_, task) => {
    expect(taskCard(taskView(task), links, { note: "n", refreshUserIds: ["29:a"] })).toEqual(
      taskCard(task, links, { note: "n", refreshUserIds: ["29:a"] }),
    );
  });

  it("leaves out what only the engine uses, and writes no empty optional fields", () => {
    const view = taskView(TASKS["confirmed, queued again"]);
    for (const key of ["checkpoint", "heartbeatAt", "throttle", "notes", "tenantId", "type"])
      expect(view, key).not.toHaveProperty(key);
    expect(view.confirmedBy).toEqual({ name: "MOD Administrator" });
    expect(JSON.stringify(view)).not.toContain("token=secret");
    expect(taskView(TASKS["never started"])).not.toHaveProperty("startedAt");
    expect(taskView(TASKS.succeeded)).not.toHaveProperty("error");
    expect(taskView(TASKS.succeeded)).not.toHaveProperty("halt");
  });
});

describe("the bot's connection view", () => {
  it("names the credential without the secret", () => {
    const app = connectionView(
      makeConnection({
        kind: "graph-app",
        consent: undefined,
        clientId: "11111111-2222-3333-4444-555555555555",
        secretHint: "abc…",
        secret: { keyId: "k", wrappedKey: "w", iv: "i", tag: "t", ciphertext: "c" },
      }),
    );
    expect(app.credential).toEqual({
      kind: "app-secret",
      clientId: "11111111-2222-3333-4444-555555555555",
      secretHint: "abc…",
    });
    expect(JSON.stringify(app)).not.toContain("ciphertext");
    expect(connectionView(makeConnection()).credential).toEqual({
      kind: "admin-consent",
      adminUpn: "admin@M365x214355.onmicrosoft.com",
      consentedAt: "2025-01-10T09:30:00.000Z",
    });
    expect(connectionView(makeConnection({ consent: undefined })).credential).toEqual({
      kind: "admin-consent",
    });
    expect(connectionView(makeConnection({ kind: "scim" })).credential).toEqual({ kind: "scim" });
  });

  it("keeps the schedule, problem and last task the cards show", () => {
    const view = connectionView(
      makeConnection({
        status: "needs-reauth",
        statusProblem: {
          code: "auth-lost",
          message: "Revoked.",
          remedy: "Reauthorize.",
          since: "2025-03-01T07:00:00Z",
        },
        lastTask: { id: "t", type: "full", status: "failed", finishedAt: "2025-03-01T07:00:00Z" },
        nextRunAt: "2025-03-01T09:00:00Z",
      }),
    );
    expect(view).toEqual({
      id: "conn-1",
      name: "Contoso Entra",
      status: "needs-reauth",
      credential: {
        kind: "admin-consent",
        adminUpn: "admin@M365x214355.onmicrosoft.com",
        consentedAt: "2025-01-10T09:30:00.000Z",
      },
      statusProblem: {
        code: "auth-lost",
        message: "Revoked.",
        remedy: "Reauthorize.",
        since: "2025-03-01T07:00:00Z",
      },
      schedule: { enabled: true, intervalMinutes: 60, quiet: false },
      nextRunAt: "2025-03-01T09:00:00Z",
      lastTask: { type: "full", status: "failed", finishedAt: "2025-03-01T07:00:00Z" },
    });
    expect(JSON.stringify(reauthCard(view, links))).toContain("Revoked.");
  });
});

describe("the bot's alert event", () => {
  it("carries what deciding and posting need, not the delivery bookkeeping", () => {
    const event = makeEvent({
      kind: "sync-failed",
      taskId: "task-1",
      problem: { code: "throttled", message: "Throttled.", remedy: "Retry later." },
      delivery: { status: "failed", error: "403" },
    });
    const alert = alertEvent(event);
    expect(alert).not.toHaveProperty("delivery");
    const task = makeTask({ status: "failed" });
    expect(planNotification({ event: alert, task: taskView(task) }, links)).toEqual(
      planNotification({ event, task }, links),
    );
  });
});
