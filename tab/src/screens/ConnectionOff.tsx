import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { Connection } from "../api/types.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";

/** Connections that sync (anything not switched off), other than `connection`. */
const activeOthers = (connection: Pick<Connection, "id">, all: Connection[]) =>
  all.filter((c) => c.id !== connection.id && c.status !== "inactive");

/** Why Sync now cannot be used, in words for its tooltip; undefined when it can. */
export function syncBlockedReason(connection: Connection, others: Connection[]): string | undefined {
  if (connection.status === "needs-reauth")
    return "Reauthorize this connection first: Entra ID no longer accepts its credentials.";
  if (connection.status !== "inactive") return undefined;
  const [other] = activeOthers(connection, others);
  return other
    ? `This connection is off while "${other.name}" syncs the directory. Switch to this connection to sync it.`
    : "This connection is off. Turn it on to sync it.";
}

/**
 * A switched-off connection, and the one-click way out: only one connection syncs a directory at a time
 * (unless every one allows concurrent syncing in its settings), so turning this one on turns the others off.
 */
export function ConnectionOffNotice({
  connection,
  all,
  onChanged,
}: {
  connection: Connection;
  all: Connection[];
  onChanged: () => void;
}) {
  const { client, me, notify } = useSession();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiError>();
  if (connection.status !== "inactive") return null;
  const others = activeOthers(connection, all);

  const switchHere = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      for (const other of others) await client.setConnectionEnabled(other.id, false);
      await client.setConnectionEnabled(connection.id, true);
      notify(
        others.length
          ? `${connection.name} is on; ${others.map((o) => o.name).join(", ")} turned off`
          : `${connection.name} is on`,
      );
      onChanged();
    } catch (err) {
      setProblem(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const names = others.map((o) => `"${o.name}"`).join(", ");
  return (
    <>
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>
            {others.length ? "Off while another connection syncs" : "Turned off"}
          </MessageBarTitle>
          {others.length
            ? `${names} already ${others.length === 1 ? "syncs" : "sync"} this directory, and two connections syncing the same people would clash. Switch to this connection (it turns ${names} off), or allow concurrent syncing in the settings of both.`
            : "No sync runs, scheduled or manual, until it is turned on."}
        </MessageBarBody>
        {me.isAdmin && (
          <MessageBarActions>
            <Button appearance="primary" onClick={switchHere} disabled={busy}>
              {others.length ? "Switch to this connection" : "Turn on"}
            </Button>
            {others.length > 0 && (
              <Button as="a" href={href({ name: "settings", connectionId: connection.id })}>
                Settings
              </Button>
            )}
          </MessageBarActions>
        )}
      </MessageBar>
      {problem && <ProblemBar error={problem} title="The connection was not switched on" />}
    </>
  );
}
