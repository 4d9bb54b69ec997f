import { z } from "zod";
import { syncSettingsSchema } from "../domain/sync-settings.ts";
import type { Schedule } from "../store/documents.ts";

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
]);
export type CreateConnectionInput = z.infer<typeof createConnectionSchema>;

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

export const deleteQuerySchema = z
  .object({
    confirm: z.enum(["true", "false"]).optional(),
    data: z.enum(["keep", "remove"]).optional(),
  })
  .strict();
