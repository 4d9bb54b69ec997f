import { createHash } from "node:crypto";
import stableStringify from "fast-json-stable-stringify";

/** A content hash decides whether anything changed: a no-op update is never a write. */
export const contentHash = (value: unknown): string =>
  createHash("sha256").update(stableStringify(value)).digest("base64url").slice(0, 32);
