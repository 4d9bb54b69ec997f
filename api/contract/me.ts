import { z } from "zod";

/** GET /api/me: who the API thinks the caller is, and the CSRF token for cookie sessions. */
export const meSchema = z.object({
  tenantId: z.string(),
  oid: z.string(),
  name: z.string(),
  upn: z.string().nullable(),
  isAdmin: z.boolean(),
  canRead: z.boolean(),
  /** Where the caller's rights came from (app roles, directory roles). */
  roleSource: z.string(),
  via: z.enum(["bearer", "session", "api-key", "app-token"]),
  csrfToken: z.string().optional(),
});
export type Me = z.infer<typeof meSchema>;
