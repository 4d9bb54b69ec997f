import { randomUUID } from "node:crypto";
import type { GraphResponse } from "./types.ts";

/** Graph's error body: {error:{code,message,innerError:{date,request-id,client-request-id}}}. */
export function graphError(
  status: number,
  code: string,
  message: string,
  now: number,
  clientRequestId?: string,
  extraHeaders: Record<string, string> = {},
): GraphResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: {
      "content-type": "application/json",
      "request-id": requestId,
      "client-request-id": clientRequestId ?? requestId,
      ...extraHeaders,
    },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date(now).toISOString().replace(/\.\d{3}Z$/, ""),
          "request-id": requestId,
          "client-request-id": clientRequestId ?? requestId,
        },
      },
    },
  };
}
