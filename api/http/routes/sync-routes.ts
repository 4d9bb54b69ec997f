import { stringify } from "csv-stringify/sync";
import { Router } from "express";
import type { Principal } from "../../auth/principal.ts";
import type { Page } from "../../contract/common.ts";
import {
  type RecordQuery,
  recordQuerySchema,
  startTaskConnectionParam,
  startTaskSchema,
  type Task,
  type TaskRecord,
  taskIdParam,
  taskQuerySchema,
} from "../../contract/tasks.ts";
import type { Actor } from "../../domain/actor.ts";
import type { TaskRecordDoc } from "../../store/documents.ts";
import type { Store } from "../../store/store.ts";
import { SyncRequestError, type SyncService } from "../../sync/service.ts";
import { requireAdmin, requireReader } from "../principal.ts";
import { HttpProblem, notFound } from "../problem.ts";
import { parseInput } from "../validate.ts";
import { searchClause } from "./paging.ts";
import { linkRecords } from "./record-links.ts";

const actorOf = (p: Principal): Actor => ({
  oid: p.oid,
  name: p.name,
  ...(p.upn ? { upn: p.upn } : {}),
});

function toHttp(err: unknown): never {
  if (err instanceof SyncRequestError) throw new HttpProblem(err.status, err.problem);
  throw err;
}

/** Start, watch, cancel and confirm sync tasks; read their per-record details and CSV. */
export function syncRoutes(store: Store, sync: SyncService): Router {
  const router = Router();

  router.post("/connections/:id/tasks", async (req, res) => {
    const principal = requireAdmin(req);
    const { id } = parseInput(startTaskConnectionParam, req.params, "path");
    const { type } = parseInput(startTaskSchema, req.body);
    const result = await sync
      .startTask(principal.tenantId, id, { type, trigger: "manual", requestedBy: actorOf(principal) })
      .catch(toHttp);
    if ("alreadyRunning" in result) {
      const t = result.alreadyRunning;
      res.status(409).json({
        error: {
          code: "already-running",
          message: `A sync of "${t.connectionName}" is already running (task ${t.id}, started ${t.startedAt ?? t.createdAt})`,
          remedy: "Watch that task, or wait for it to finish before starting another.",
          taskId: t.id,
        },
      });
      return;
    }
    res
      .status(202)
      .location(`/api/tasks/${result.task.id}`)
      .json(result.task satisfies Task);
  });

  router.get("/tasks", async (req, res) => {
    const principal = requireReader(req);
    const q = parseInput(taskQuerySchema, req.query, "query");
    const where: string[] = [];
    const parameters: { name: string; value: string }[] = [];
    for (const [field, column] of [
      ["connectionId", "c.connectionId"],
      ["status", "c.status"],
      ["type", "c.taskType"],
      ["trigger", "c.trigger"],
    ] as const) {
      const value = q[field];
      if (value) {
        where.push(`${column} = @${field}`);
        parameters.push({ name: `@${field}`, value });
      }
    }
    // A task belongs to the day it was asked for (queued tasks have not started yet).
    for (const [field, op] of [
      ["since", ">="],
      ["until", "<"],
    ] as const) {
      const value = q[field];
      if (value) {
        where.push(`c.createdAt ${op} @${field}`);
        parameters.push({ name: `@${field}`, value: new Date(value).toISOString() });
      }
    }
    const page = await store.tasks.page(
      principal.tenantId,
      { where: where.join(" AND ") || undefined, parameters, orderBy: "c.createdAt DESC", select: "VALUE c" },
      { pageSize: q.pageSize, ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}) },
    );
    res.json({ ...page, items: page.items.map(publicTask) } satisfies Page<Task>);
  });

  router.get("/tasks/:id", async (req, res) => {
    const principal = requireReader(req);
    const { id } = parseInput(taskIdParam, req.params, "path");
    const task = await store.tasks.get(principal.tenantId, id);
    if (!task) throw notFound(`Task ${id}`);
    res.json(publicTask(task) satisfies Task);
  });

  router.post("/tasks/:id/cancel", async (req, res) => {
    const principal = requireAdmin(req);
    const { id } = parseInput(taskIdParam, req.params, "path");
    if (!(await store.tasks.get(principal.tenantId, id))) throw notFound(`Task ${id}`);
    res.json(
      publicTask(
        await sync.cancelTask(principal.tenantId, id, actorOf(principal)).catch(toHttp),
      ) satisfies Task,
    );
  });

  router.post("/tasks/:id/confirm", async (req, res) => {
    const principal = requireAdmin(req);
    const { id } = parseInput(taskIdParam, req.params, "path");
    if (!(await store.tasks.get(principal.tenantId, id))) throw notFound(`Task ${id}`);
    res
      .status(202)
      .json(
        publicTask(
          await sync.confirmTask(principal.tenantId, id, actorOf(principal)).catch(toHttp),
        ) satisfies Task,
      );
  });

  router.get("/tasks/:id/records", async (req, res) => {
    const principal = requireReader(req);
    const { id } = parseInput(taskIdParam, req.params, "path");
    const q = parseInput(recordQuerySchema, req.query, "query");
    if (!(await store.tasks.get(principal.tenantId, id))) throw notFound(`Task ${id}`);
    const page = await store.taskRecords.page(principal.tenantId, recordSpec(id, q), {
      pageSize: q.pageSize,
      ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}),
    });
    res.json({
      ...page,
      items: await linkRecords(store, principal.tenantId, page.items),
    } satisfies Page<TaskRecord>);
  });

  router.get("/tasks/:id/records.csv", async (req, res) => {
    const principal = requireReader(req);
    const { id } = parseInput(taskIdParam, req.params, "path");
    const q = parseInput(recordQuerySchema, req.query, "query");
    const task = await store.tasks.get(principal.tenantId, id);
    if (!task) throw notFound(`Task ${id}`);
    res.setHeader("content-type", "text/csv; charset=utf-8");
    res.setHeader("content-disposition", `attachment; filename="${recordsFileName(id, q)}"`);
    // The byte order mark tells Excel the file is UTF-8, so names such as "Zoë Ångström" stay intact.
    res.write("\uFEFF");
    res.write(stringify([RECORD_COLUMNS]));
    for await (const page of store.taskRecords.stream(principal.tenantId, recordSpec(id, q), 1000)) {
      res.write(
        stringify(
          page.map((r) =>
            [
              r.kind,
              r.name,
              r.email ?? "",
              r.upn ?? "",
              r.sourceId,
              r.action,
              r.reason ?? "",
              (r.changedFields ?? []).join(" "),
              changeText(r, "from"),
              changeText(r, "to"),
              r.at,
              welcomeText(r),
              r.welcome?.detail ?? "",
            ].map(safeCell),
          ),
        ),
      );
    }
    res.end();
  });

  return router;
}

const RECORD_COLUMNS = [
  "Kind",
  "Name",
  "Email",
  "User principal name",
  "Entra object id",
  "Action",
  "Reason",
  "Changed fields",
  "Old values",
  "New values",
  "Time (UTC)",
  "Welcome notice",
  "Welcome notice detail",
];

/** "sent (email)", "failed (email, 2 attempts)", "skipped"; empty for records without a notice. */
function welcomeText(r: TaskRecordDoc): string {
  const w = r.welcome;
  if (!w) return "";
  const parts = [w.channel, w.attempts && w.attempts > 1 ? `${w.attempts} attempts` : undefined].filter(
    Boolean,
  );
  return parts.length > 0 ? `${w.status} (${parts.join(", ")})` : w.status;
}

/** "sync-<task>.csv" for everything; a filtered export names its filters, so two downloads never collide. */
function recordsFileName(taskId: string, q: { action?: string; kind?: string; q?: string | undefined }) {
  const parts = [q.kind, q.action, q.q ? "search" : undefined].filter(Boolean);
  return `sync-${taskId}${parts.length ? `-${parts.join("-")}` : ""}.csv`;
}

/** "jobTitle: Engineer; department: R&D": one side of a record's changed values. */
function changeText(r: TaskRecordDoc, side: "from" | "to"): string {
  return Object.entries(r.changes ?? {})
    .map(([field, c]) => `${field}: ${formatCell(c[side])}`)
    .join("; ");
}

const formatCell = (v: unknown) =>
  v === null || v === undefined || v === "" ? "(empty)" : Array.isArray(v) ? v.join(", ") : String(v);

function recordSpec(taskId: string, q: RecordQuery) {
  const search = searchClause(["c.name", "c.email", "c.upn", "c.reason"], q.q);
  const where = ["c.taskId = @t", ...search.where];
  const parameters = [{ name: "@t", value: taskId }, ...search.parameters];
  if (q.action) {
    where.push("c.action = @a");
    parameters.push({ name: "@a", value: q.action });
  }
  if (q.kind) {
    where.push("c.kind = @k");
    parameters.push({ name: "@k", value: q.kind });
  }
  return { where: where.join(" AND "), parameters, orderBy: "c.name ASC" };
}

/** Spreadsheet apps run cells that start with = + - @ as formulas; a leading quote keeps them text. */
const safeCell = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/** The checkpoint is the engine's business and can be large: not part of the API. */
function publicTask<T extends { checkpoint?: unknown; _etag?: string }>(task: T) {
  const { checkpoint: _c, ...rest } = task;
  return rest;
}
