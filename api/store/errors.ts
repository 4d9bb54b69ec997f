import { isTransientError } from "../retry/classify.ts";

/** Store failures the callers act on, free of SDK types so the domain does not depend on Cosmos. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: "not-found" | "conflict" | "precondition-failed" | "too-large" | "unavailable",
  ) {
    super(message);
    this.name = "StoreError";
  }
}

export const isStoreError = (err: unknown, code?: StoreError["code"]): err is StoreError =>
  err instanceof StoreError && (code === undefined || err.code === code);

/** Maps an @azure/cosmos error (which carries `code` = HTTP status) to a StoreError, or rethrows. */
export function translateCosmosError(err: unknown, what: string): never {
  const status = (err as { code?: number | string }).code;
  if (status === 404) throw new StoreError(`${what} was not found`, "not-found");
  if (status === 409) throw new StoreError(`${what} already exists`, "conflict");
  if (status === 412)
    throw new StoreError(`${what} was changed by someone else; reload and retry`, "precondition-failed");
  if (status === 413) throw new StoreError(`${what} is too large to store`, "too-large");
  // 429: the account's throughput is used up for now (the SDK has already retried); the rest: unreachable.
  if (isTransientError("cosmos", err))
    throw new StoreError("The database is busy or unreachable right now", "unavailable");
  throw err;
}
