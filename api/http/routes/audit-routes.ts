import { stringify } from "csv-stringify/sync";
import { type NextFunction, type Request, type Response, Router } from "express";
import { readableChanges } from "../../audit/trail.ts";
import {
  type AuditEntry,
  type AuditFilters,
  auditCsvQuerySchema,
  auditQuerySchema,
} from "../../contract/audit.ts";
import type { Page } from "../../contract/common.ts";
import type { AuditDoc } from "../../store/documents.ts";
import type { Store } from "../../store/store.ts";
import { requireReader } from "../principal.ts";
import { parseInput } from "../validate.ts";

/** The most entries one CSV export holds; the tenant's trail is small, a larger one is cut with a last row saying so. */
const CSV_LIMIT = 10_000;

function where(q: AuditFilters) {
  const conditions: string[] = ["c.type = 'audit'"];
  const parameters: { name: string; value: string }[] = [];
  const add = (condition: string, name: string, value: string | undefined) => {
    if (value === undefined) return;
    conditions.push(condition);
    parameters.push({ name, value });
  };
  add("c.target.id = @target", "@target", q.targetId);
  add("c.action = @action", "@action", q.action);
  add("c.at >= @since", "@since", q.since && new Date(q.since).toISOString());
  add("c.at < @until", "@until", q.until && new Date(q.until).toISOString());
  return { where: conditions.join(" AND "), parameters, orderBy: "c.at DESC" };
}

/** An entry as readers get it: one change per property, no store bookkeeping. */
const readable = (doc: AuditDoc): AuditEntry => ({
  id: doc.id,
  actor: doc.actor,
  action: doc.action,
  target: doc.target,
  changes: readableChanges(doc.changes ?? {}),
  at: doc.at,
});

const cell = (v: unknown) =>
  v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);

/**
 * GET /api/audit: who changed what, newest first, filtered by target, action and time; GET /api/audit.csv:
 * the same as a spreadsheet, one row per changed property. Secrets were redacted when entries were written.
 */
export function auditRoutes(store: Store): Router {
  const router = Router();
  router.get("/audit", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const p = requireReader(req);
      const q = parseInput(auditQuerySchema, req.query, "query");
      const page = await store.audit.page(p.tenantId, where(q), {
        pageSize: q.pageSize,
        ...(q.continuationToken ? { continuationToken: q.continuationToken } : {}),
      });
      res.json({
        items: page.items.map(readable),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      } satisfies Page<AuditEntry>);
    } catch (err) {
      next(err);
    }
  });

  router.get("/audit.csv", async (req: Request, res: Response, next: NextFunction) => {
    try {
      const p = requireReader(req);
      const q = parseInput(auditCsvQuerySchema, req.query, "query");
      const filtered = Object.values(q).some((v) => v !== undefined);
      const day = new Date().toISOString().slice(0, 10);
      res.setHeader("content-type", "text/csv; charset=utf-8");
      res.setHeader(
        "content-disposition",
        `attachment; filename="audit-${day}${filtered ? "-filtered" : ""}.csv"`,
      );
      // The byte order mark tells Excel the file is UTF-8 (names such as "Zoë Ångström" stay intact).
      res.write("\uFEFF");
      res.write(
        stringify([
          ["Time (UTC)", "Who", "Who (UPN)", "Action", "Target", "Property", "Old value", "New value"],
        ]),
      );
      let written = 0;
      for await (const page of store.audit.stream(p.tenantId, where(q), 200)) {
        for (const doc of page as AuditDoc[]) {
          const entry = readable(doc);
          const changes = Object.entries(entry.changes);
          const rows = (changes.length ? changes : [["", { from: null, to: null }] as const]).map(
            ([property, change]) => [
              entry.at,
              entry.actor?.name ?? "",
              entry.actor?.upn ?? "",
              entry.action,
              entry.target?.name ?? entry.target?.id ?? "",
              property,
              cell(change.from),
              cell(change.to),
            ],
          );
          res.write(stringify(rows));
          if (++written >= CSV_LIMIT) break;
        }
        if (written >= CSV_LIMIT) {
          res.write(stringify([[`Only the newest ${CSV_LIMIT} entries; narrow the dates for the rest.`]]));
          break;
        }
      }
      res.end();
    } catch (err) {
      next(err);
    }
  });
  return router;
}
