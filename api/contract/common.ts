import { z } from "zod";

/**
 * Pieces every body of the tab's API shares. Response objects are open (unknown keys pass): the contract
 * names what readers rely on, and a field the API adds later is not a break.
 */

export const problemSchema = z.object({ code: z.string(), message: z.string(), remedy: z.string() });

/** A problem that has lasted since a time (a connection's status problem or warning). */
export const standingProblemSchema = problemSchema.extend({ since: z.string() });

export const actorSchema = z.object({ oid: z.string(), name: z.string(), upn: z.string().optional() });

/** Every refusal: a problem, the fields at fault, and whatever else explains it (a task id, a consent URL). */
export const errorBodySchema = z.object({
  error: problemSchema.extend({
    fields: z.record(z.string(), z.string()).optional(),
    /** Sent with `consent-required`: where an admin grants consent. */
    consentUrl: z.string().optional(),
    url: z.string().optional(),
    /** Sent with `already-running`. */
    taskId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** A page of a listing; `continuationToken` asks for the next one. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), continuationToken: z.string().optional() });
export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

/** Query parameters every paged listing accepts. */
export const pagingQuery = {
  continuationToken: z.string().max(4000).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
};

export const isoTime = z.iso.datetime({
  offset: true,
  message: "an ISO date and time, e.g. 2026-12-01T00:00:00Z",
});

/**
 * The shape of every document id the API accepts in a URL path. Task and connection ids are UUIDs; profile
 * and list ids join a connection id and an Entra object id with a dot. Cosmos DB refuses `/ \ # ?` in ids
 * and a `?` would end the resource path the SDK builds (answering for a shorter id), so anything but
 * letters, digits, `.`, `-` and `_` is refused here, before the store sees it.
 */
export const documentId = (what: string) =>
  z
    .string()
    .max(255, `must be a ${what} id of at most 255 characters`)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, `must be a ${what} id (letters, digits, ".", "-" and "_" only)`);

/** A path parameter `id` of the given kind. */
export const idParamOf = (what: string) => z.object({ id: documentId(what) });

export const fieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]);
export type FieldValue = z.infer<typeof fieldValueSchema>;

const RECORD_STATUSES = ["active", "inactive", "deleted"] as const;
export const recordStatusSchema = z.enum(RECORD_STATUSES);
export type RecordStatus = z.infer<typeof recordStatusSchema>;
