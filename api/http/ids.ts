import { z } from "zod";

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

/** A path parameter `id` of the given kind, for `parseInput(…, req.params, "path")`. */
export const idParamOf = (what: string) => z.object({ id: documentId(what) });
