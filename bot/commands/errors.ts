import type { Problem } from "../../api/domain/problem.ts";
import type { BotLogger } from "../ports.ts";

const isProblem = (err: unknown): err is Problem =>
  typeof err === "object" &&
  err !== null &&
  typeof (err as Problem).message === "string" &&
  typeof (err as Problem).remedy === "string";

/**
 * What to tell a chat user when the service refused or broke. Refusals carry their own cause and remedy;
 * anything else is logged and answered generically, so no internals reach the chat.
 */
export function problemFrom(err: unknown, logger: BotLogger, doing: string): Problem {
  if (isProblem(err))
    return { code: (err as Problem).code ?? "refused", message: err.message, remedy: err.remedy };
  logger.error(
    { err: err instanceof Error ? { name: err.name, message: err.message } : String(err) },
    `bot: ${doing} failed`,
  );
  return {
    code: "internal",
    message: `Something went wrong on our side while trying to ${doing}.`,
    remedy:
      "Try again in a minute; if it keeps failing, open Directory Sync in the tab and check the connection.",
  };
}
