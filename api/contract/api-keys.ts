import { z } from "zod";
import { MACHINE_SCOPES } from "./machine-scopes.ts";

/** /api/api-keys: the API keys of the tenant's applications, as admins manage them in the tab. */

export const createApiKeySchema = z
  .object({
    name: z.string().trim().min(1, "give the key a name").max(100),
    scopes: z.array(z.enum(MACHINE_SCOPES)).min(1, "choose at least one scope").max(3),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type NewApiKey = z.input<typeof createApiKeySchema>;

export const apiKeyIdParam = z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, "not an API key id") });

/** A key as the tab shows it: never its hash, never the key after creation. */
const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(MACHINE_SCOPES)),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  /** The name of the admin who created it. */
  createdBy: z.string(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** POST /api/api-keys: the only answer that holds the key itself. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const apiKeyListSchema = z.object({ items: z.array(apiKeySchema) });
