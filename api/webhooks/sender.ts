import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Webhook } from "standardwebhooks";
import type { WebhookAttempt } from "../store/documents.ts";
import { BlockedAddress, forbiddenRange, guardedLookup } from "./address-guard.ts";

const TIMEOUT_MS = 10_000;
const EXCERPT = 500;

export interface SendOptions {
  allowPrivate: boolean;
  now?: () => number;
}

/**
 * Signs a delivery per Standard Webhooks: `webhook-id` (the event id, the receiver's idempotency key),
 * `webhook-timestamp` and `webhook-signature` with one `v1,` signature per secret still valid (so a receiver
 * keeps verifying during a secret rotation).
 */
export function signedHeaders(secrets: string[], id: string, at: Date, body: string): Record<string, string> {
  const signatures = secrets.map((s) => new Webhook(s).sign(id, at, body));
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
    "user-agent": "EntraDirectorySync-Webhooks/1",
  };
}

/** Posts once and reports the attempt; never throws. Redirects are not followed (they could point inside). */
export async function deliver(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<WebhookAttempt> {
  const now = options.now ?? Date.now;
  const started = now();
  const at = new Date(started).toISOString();
  const done = (status: number, excerpt: string): WebhookAttempt => ({
    at,
    status,
    latencyMs: Math.max(0, now() - started),
    excerpt: excerpt.slice(0, EXCERPT),
  });
  const target = new URL(url);
  const literal = target.hostname.replace(/^\[|\]$/g, "");
  const range = forbiddenRange(literal);
  if (range && range !== "invalid" && !options.allowPrivate)
    return done(0, new BlockedAddress(target.hostname, literal, range).message);
  return new Promise((resolve) => {
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
        lookup: guardedLookup(options.allowPrivate),
        timeout: TIMEOUT_MS,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (text.length < EXCERPT) text += chunk;
        });
        res.on("end", () => resolve(done(res.statusCode ?? 0, text)));
        res.on("error", (err) => resolve(done(res.statusCode ?? 0, err.message)));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on("error", (err) =>
      resolve(
        done(
          0,
          err instanceof BlockedAddress
            ? err.message
            : `${(err as NodeJS.ErrnoException).code ?? "error"}: ${err.message}`,
        ),
      ),
    );
    req.end(body);
  });
}
