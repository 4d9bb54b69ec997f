import { z } from "zod";
import { syncSettingsSchema } from "../domain/sync-settings.ts";
import { actorSchema, problemSchema, standingProblemSchema } from "./common.ts";
import { issuedScimTokenSchema } from "./scim.ts";
import { TASK_STATUSES, TASK_TYPES } from "./tasks.ts";

export type { Mapping, Rule, SyncSettings } from "../domain/sync-settings.ts";

/** /api/connections: what the tab sends to create, change, test and delete a connection, and what it reads. */

const guid = z
  .string()
  .trim()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    "must be the app's client id (a GUID)",
  )
  .transform((v) => v.toLowerCase());

const name = z.string().trim().min(1, "enter a name").max(120, "at most 120 characters");
const clientSecret = z
  .string()
  .min(8, "must be the client secret's value (at least 8 characters)")
  .max(1024, "is too long for a client secret");

const CONNECTION_KINDS = ["graph-app", "graph-delegated", "scim"] as const;
const CONNECTION_STATUSES = ["active", "inactive", "needs-reauth", "error"] as const;

const scheduleSchema = z
  .object({
    enabled: z.boolean().default(true),
    intervalMinutes: z
      .number()
      .int()
      .min(1, "at least 1 minute")
      .max(7 * 24 * 60, "at most a week")
      .default(60),
    fullEveryHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(24),
    // Quiet by default: a channel that hears "no changes" every hour stops being read.
    quiet: z.boolean().default(true),
  })
  .strict();

export type Schedule = z.infer<typeof scheduleSchema>;
export const defaultSchedule = (): Schedule => scheduleSchema.parse({});

const schedulePatchSchema = z
  .object({
    enabled: z.boolean(),
    intervalMinutes: z
      .number()
      .int()
      .min(1, "at least 1 minute")
      .max(7 * 24 * 60, "at most a week"),
    fullEveryHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
    quiet: z.boolean(),
  })
  .partial()
  .strict();

/**
 * A profile's email comes from the email fallback chain (mail, then the chosen fallbacks), never from a
 * mapping: a mapping to it would be overwritten on every sync, so it is refused where it is entered.
 * Checked on input only, so settings stored before this rule still load and sync as they did.
 */
const settingsInput = syncSettingsSchema.superRefine((s, ctx) => {
  s.mapping.forEach((m, i) => {
    if (m.target === "field:email")
      ctx.addIssue({
        code: "custom",
        path: ["mapping", i, "target"],
        message:
          "email is not mapped: it is the user's mail, then the fallbacks chosen under Email address; remove this row",
      });
  });
});

const common = {
  name,
  settings: settingsInput.optional(),
  schedule: scheduleSchema.optional(),
  allowConcurrent: z.boolean().optional(),
};

export const createConnectionSchema = z.discriminatedUnion("kind", [
  z.object({ ...common, kind: z.literal("graph-app"), clientId: guid, clientSecret }).strict(),
  z.object({ ...common, kind: z.literal("graph-delegated") }).strict(),
  // Push mode: Entra's provisioning service sends the changes; the answer carries the first token (see scim.ts).
  z.object({ ...common, kind: z.literal("scim") }).strict(),
]);
export type CreateConnectionInput = z.infer<typeof createConnectionSchema>;
/** What the tab sends to create a connection. */
export type NewConnection = z.input<typeof createConnectionSchema>;

export const patchConnectionSchema = z
  .object({
    name: name.optional(),
    settings: settingsInput.optional(),
    // Without defaults: a partial schedule changes only the fields sent (a paused schedule stays paused).
    schedule: schedulePatchSchema.optional(),
    clientId: guid.optional(),
    clientSecret: clientSecret.optional(),
    allowConcurrent: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, "send at least one field to change");
export type PatchConnectionInput = z.infer<typeof patchConnectionSchema>;
/** What the tab sends to change a connection. */
export type ConnectionPatch = z.input<typeof patchConnectionSchema>;

export const deleteQuerySchema = z
  .object({
    confirm: z.enum(["true", "false"]).optional(),
    data: z.enum(["keep", "remove"]).optional(),
  })
  .strict();

export const connectionIdParam = z.object({ id: z.string().uuid("must be a connection id") });

/** A connection as the API shows it: never its secret, never a pending consent's nonce or verifier. */
export const connectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CONNECTION_KINDS),
  status: z.enum(CONNECTION_STATUSES),
  statusProblem: standingProblemSchema.optional(),
  warning: standingProblemSchema.optional(),
  clientId: z.string().optional(),
  secretHint: z.string().optional(),
  /** When the client secret expires, read from the app registration by the connection test. */
  secretExpiresAt: z.string().optional(),
  hasSecret: z.boolean(),
  consentPending: z.object({ step: z.string(), startedAt: z.string() }).optional(),
  consent: z
    .object({
      adminObjectId: z.string(),
      adminUpn: z.string(),
      consentedAt: z.string(),
      permissions: z.array(z.string()),
    })
    .optional(),
  settings: syncSettingsSchema,
  schedule: scheduleSchema,
  allowConcurrent: z.boolean().optional(),
  lastTask: z
    .object({
      id: z.string(),
      type: z.enum(TASK_TYPES),
      status: z.enum(TASK_STATUSES),
      finishedAt: z.string().optional(),
    })
    .optional(),
  /** In listings: when the schedule runs the connection next. */
  nextRunAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: actorSchema.optional(),
  /** The version to send back as If-Match with a change (also the ETag header). */
  etag: z.string().optional(),
});
export type Connection = z.infer<typeof connectionSchema>;

/** POST /api/connections: a `scim` connection's answer also holds its tenant URL and first token, shown once. */
export const createdConnectionSchema = connectionSchema.extend({ scim: issuedScimTokenSchema.optional() });
export type CreatedConnection = z.infer<typeof createdConnectionSchema>;

const permissionCheckSchema = z.object({
  permission: z.string(),
  status: z.enum(["granted", "missing", "rejected"]),
  detail: z.string().optional(),
  /** Not needed to sync (the bot's chat admin check): missing leaves `ok` true. */
  optional: z.boolean().optional(),
});

/** POST /api/connections/:id/test. */
export const testResultSchema = z.object({
  ok: z.boolean(),
  checks: z.array(permissionCheckSchema),
  /** Why the test failed, when it did; `consent-required` carries the URL to grant consent. */
  error: problemSchema
    .extend({
      consentUrl: z.string().optional(),
      /** With `consent-required`: the code of the problem the test met. */
      cause: z.string().optional(),
    })
    .optional(),
});
export type TestResult = z.infer<typeof testResultSchema>;

/** DELETE /api/connections/:id with confirm=true. */
export const deleteResultSchema = z.object({
  deleted: z.boolean(),
  data: z.enum(["keep", "remove"]),
  /** Synced profiles and lists the connection had. */
  profiles: z.number(),
  lists: z.number(),
  /** With data=remove: what was deleted. */
  removed: z
    .object({ profiles: z.number(), lists: z.number(), memberships: z.number(), photos: z.number() })
    .optional(),
});
export type DeleteResult = z.infer<typeof deleteResultSchema>;

/** POST /api/connections/:id/consent: where the admin grants consent. */
export const consentUrlSchema = z.object({ url: z.string() });
export type ConsentUrl = z.infer<typeof consentUrlSchema>;

/** GET /api/connections/:id/live: whether Graph change notifications drive a connection, or why not. */
export const liveStatusSchema = z.object({
  state: z.enum(["live", "schedule-only", "off", "push"]),
  problem: problemSchema.extend({ since: z.string().optional() }).optional(),
  lastNotificationAt: z.string().optional(),
  lastLifecycle: z.object({ event: z.string(), at: z.string() }).optional(),
  subscriptions: z.array(z.object({ resource: z.enum(["users", "groups"]), expiresAt: z.string() })),
});
export type LiveStatus = z.infer<typeof liveStatusSchema>;
