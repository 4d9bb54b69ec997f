import { z } from "zod";

/** /api/groups: the settings page's group picker, reading Entra ID. */

export const groupSearchQuerySchema = z
  .object({ q: z.string().trim().min(3, "type at least 3 characters").max(120, "at most 120 characters") })
  .strict();

/** Chosen groups by id (settings keep ids only), to show their names. */
export const groupLookupQuerySchema = z
  .object({
    ids: z
      .string()
      .transform((v) => [
        ...new Set(
          v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ])
      .pipe(z.array(z.guid("each id must be a group object id")).min(1).max(50, "at most 50 ids")),
  })
  .strict();

/** A picker entry: the group and its direct member count (null when Graph did not answer one). */
const groupHitSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  mail: z.string().nullable(),
  groupTypes: z.array(z.string()),
  memberCount: z.number().nullable(),
});
export type GroupHit = z.infer<typeof groupHitSchema>;
