/**
 * Why the Bot Connector refused a message, in words an admin can act on. Teams answers 403
 * MessageWritesBlocked once the bot was removed, and 404 when the conversation (channel, chat) is gone.
 */
export interface DeliveryFailure {
  status: number;
  code?: string;
  message: string;
}

export function describeDeliveryError(err: unknown): DeliveryFailure {
  const e = err as {
    statusCode?: number;
    status?: number;
    code?: string;
    message?: string;
    response?: { status?: number; bodyAsText?: string; parsedBody?: unknown };
    body?: unknown;
  };
  const status = Number(e?.statusCode ?? e?.response?.status ?? e?.status ?? 0) || 0;
  const code =
    connectorCode(e?.response?.parsedBody) ??
    connectorCode(e?.body) ??
    connectorCodeFromText(e?.response?.bodyAsText) ??
    codeOf(e?.code);
  const label = `${status || "no answer"}${code ? ` ${code}` : ""}`;
  if (status === 403)
    return {
      status,
      code,
      message: `Teams refused the message (${label}): the bot was removed from the team or chat, or may no longer post there. Add Directory Sync to the team again, then say "set channel" in the admin channel.`,
    };
  if (status === 404)
    return {
      status,
      code,
      message: `The conversation no longer exists (${label}): the channel or chat was deleted. Say "set channel" in the channel that should get the alerts.`,
    };
  if (status === 401)
    return {
      status,
      code,
      message: `The Bot Connector rejected the bot's credentials (${label}). Check BOT_APP_ID, BOT_APP_PASSWORD and BOT_APP_TENANT_ID against the Azure Bot registration.`,
    };
  return {
    status,
    code,
    message: `Teams could not be reached to post the message (${label}${status ? "" : `: ${shorten(e?.message)}`}). The event is kept in the tab; the next alert tries again.`,
  };
}

function connectorCode(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === "string" ? code : undefined;
}

function connectorCodeFromText(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    return connectorCode(JSON.parse(text));
  } catch {
    return undefined;
  }
}

const codeOf = (code: unknown) => (typeof code === "string" && code !== "" ? code : undefined);

const shorten = (message: string | undefined) => (message ?? "unknown error").slice(0, 200);
