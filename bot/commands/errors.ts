import type { BotLogger } from "../ports.ts";
import type { ProblemView } from "../views.ts";

const isProblem = (err: unknown): err is ProblemView =>
  typeof err === "object" &&
  err !== null &&
  typeof (err as ProblemView).message === "string" &&
  typeof (err as ProblemView).remedy === "string";

/**
 * What to tell a chat user when the service refused or broke. Refusals carry their own cause and remedy;
 * anything else is logged and answered generically, so no internals reach the chat.
 */
export function problemFrom(err: unknown, logger: BotLogger, doing: string): ProblemView {
  if (isProblem(err))
    return { code: (err as ProblemView).code ?? "refused", message: err.message, remedy: err.remedy };
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
