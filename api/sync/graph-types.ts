import { z } from "zod";

/**
 * Graph responses are input from outside: each object is checked before use, and one malformed object is
 * reported against its id instead of failing the whole run.
 */
const nullableString = z.string().nullable().optional();

export const graphUserSchema = z
  .object({
    id: z.string().min(1),
    displayName: nullableString,
    givenName: nullableString,
    surname: nullableString,
    mail: nullableString,
    userPrincipalName: nullableString,
    userType: nullableString,
    accountEnabled: z.boolean().nullable().optional(),
    proxyAddresses: z.array(z.string()).nullable().optional(),
    otherMails: z.array(z.string()).nullable().optional(),
    businessPhones: z.array(z.string()).nullable().optional(),
    onPremisesExtensionAttributes: z.record(z.string(), z.string().nullable()).nullable().optional(),
    "@removed": z.object({ reason: z.string() }).optional(),
  })
  .passthrough();
export type GraphUser = z.infer<typeof graphUserSchema>;

export const graphGroupSchema = z
  .object({
    id: z.string().min(1),
    displayName: nullableString,
    description: nullableString,
    mail: nullableString,
    groupTypes: z.array(z.string()).nullable().optional(),
    securityEnabled: z.boolean().nullable().optional(),
    mailEnabled: z.boolean().nullable().optional(),
    "@removed": z.object({ reason: z.string() }).optional(),
    "members@delta": z
      .array(
        z.object({
          id: z.string(),
          "@odata.type": z.string().optional(),
          "@removed": z.unknown().optional(),
        }),
      )
      .optional(),
  })
  .passthrough();
export type GraphGroup = z.infer<typeof graphGroupSchema>;

export const directoryObjectSchema = z
  .object({ id: z.string().min(1), "@odata.type": z.string().optional() })
  .passthrough();
export type DirectoryObject = z.infer<typeof directoryObjectSchema>;
