import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Problem } from "../domain/problem.ts";
import type { Logger } from "../logger.ts";
import { isStoreError } from "../store/errors.ts";

/**
 * An error the API answers with: a status, a stable code, a plain message and a remedy. Anything else is
 * logged and answered as a generic 500, never with a stack trace.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem & { fields?: Record<string, string> },
  ) {
    super(problem.message);
    this.name = "HttpProblem";
  }
}

export const badRequest = (message: string, remedy: string, fields?: Record<string, string>) =>
  new HttpProblem(400, { code: "invalid-request", message, remedy, ...(fields ? { fields } : {}) });

export const notFound = (what: string) =>
  new HttpProblem(404, {
    code: "not-found",
    message: `${what} was not found`,
    remedy: "Check the link or reload.",
  });

export const notFoundHandler: RequestHandler = (req, _res, next) =>
  next(
    new HttpProblem(404, {
      code: "not-found",
      message: `No such endpoint: ${req.method} ${req.path}`,
      remedy: "Check the URL.",
    }),
  );

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpProblem) {
      res.status(err.status).json({ error: err.problem });
      return;
    }
    if (isStoreError(err, "not-found")) {
      res
        .status(404)
        .json({ error: { code: "not-found", message: err.message, remedy: "Reload the page." } });
      return;
    }
    if (isStoreError(err, "precondition-failed") || isStoreError(err, "conflict")) {
      res
        .status(409)
        .json({ error: { code: err.code, message: err.message, remedy: "Reload and try again." } });
      return;
    }
    if (isStoreError(err, "unavailable")) {
      res.status(503).setHeader("retry-after", "5");
      res.json({
        error: { code: "unavailable", message: err.message, remedy: "Try again in a few seconds." },
      });
      return;
    }
    if (isStoreError(err, "too-large")) {
      res.status(413).json({
        error: {
          code: "too-large",
          message: err.message,
          remedy: "Store less in one item, for example fewer whitelist entries.",
        },
      });
      return;
    }
    const status = (err as { status?: number; type?: string }).status;
    if (status === 413) {
      res.status(413).json({
        error: {
          code: "too-large",
          message: "The request body is too large",
          remedy: "Send less data at once.",
        },
      });
      return;
    }
    if ((err as { type?: string }).type === "entity.parse.failed") {
      res.status(400).json({
        error: {
          code: "invalid-json",
          message: "The request body is not valid JSON",
          remedy: "Send a JSON object.",
        },
      });
      return;
    }
    logger.error({ err, path: req.path }, "unhandled error");
    res.status(500).json({
      error: {
        code: "internal",
        message: "Something went wrong on our side",
        remedy: "Try again; if it keeps happening, contact support with the time of the error.",
      },
    });
  };
}
