import { z } from "zod";
import { actorSchema, isoTime } from "./common.ts";

/** /api/audit: who changed what, newest first, filtered by target, action and time. */

const auditFilters = {
  targetId: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
};

export const auditQuerySchema = z
  .object({
    ...auditFilters,
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
    continuationToken: z.string().max(4000).optional(),
  })
  .strict();

/** GET /api/audit.csv: the same filters, no paging. */
export const auditCsvQuerySchema = z.object(auditFilters).strict();
export type AuditFilters = z.input<typeof auditCsvQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  actor: actorSchema,
  action: z.string(),
  target: z.object({ kind: z.string(), id: z.string(), name: z.string().optional() }),
  /** One change per property, old and new value. */
  changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
  at: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
