import { MessageBar, MessageBarBody, MessageBarTitle, Text } from "@fluentui/react-components";
import type { Connection } from "../api/types.ts";

/** Matches the API's warning window (api/connections/secret-expiry.ts). */
const WARNING_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

const dateOf = (iso: string) =>
  new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });

/**
 * When an app connection's client secret expires, as its app registration says (read by the connection
 * test), with a warning in the weeks before: syncing stops the day it expires.
 */
export function SecretExpiry({ connection, now = Date.now() }: { connection: Connection; now?: number }) {
  if (connection.kind !== "graph-app") return null;
  const at = connection.secretExpiresAt;
  if (!at)
    return (
      <Text size={200}>
        Client secret expiry: not known yet. The connection test reads it from the app registration when the
        app has Application.Read.All.
      </Text>
    );
  const days = Math.floor((Date.parse(at) - now) / DAY_MS);
  if (days >= WARNING_DAYS) return <Text size={200}>Client secret expires on {dateOf(at)}.</Text>;
  return (
    <MessageBar intent={days < 0 ? "error" : "warning"} layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>
          {days < 0
            ? `The client secret expired on ${dateOf(at)}`
            : `The client secret expires on ${dateOf(at)}`}
        </MessageBarTitle>
        {days < 0 ? "Syncing stops until a new secret is saved. " : `In ${days} days syncing stops. `}
        Add a new client secret to the app registration in Entra ID (Certificates &amp; secrets) and save it
        here.
      </MessageBarBody>
    </MessageBar>
  );
}
