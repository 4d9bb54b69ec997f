import type { z } from "zod";
import { badRequest } from "./problem.ts";

/** Parses untrusted input with a schema; failures name every field and what is wrong with it. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = "body"): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? issue.path.join(".") : where;
    fields[key] ??=
      issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message;
  }
  const summary = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
  throw badRequest(`Invalid ${where}: ${summary}`, "Correct the fields named and send again.", fields);
}
