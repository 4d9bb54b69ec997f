import {
  Body1,
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { toApiError } from "../api/client.ts";
import type { Connection } from "../api/types.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { ProblemBar } from "../components/ProblemBar.tsx";
import { Loaded } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { ConnectionOffNotice } from "./ConnectionOff.tsx";

const useStyles = makeStyles({
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  // Details wrap to several lines; without padding they touch the row borders.
  cell: {
    verticalAlign: "top",
    paddingTop: tokens.spacingVerticalS,
    paddingBottom: tokens.spacingVerticalS,
    // Permission names are long single words ("RoleManagement.Read.Directory"): break at the dots, never clip.
    overflowWrap: "anywhere",
  },
});

/** "RoleManagement.Read.Directory" may wrap after a dot, where it reads well, rather than mid-word. */
function BreakAfterDots({ name }: { name: string }) {
  const parts = name.split(".");
  return (
    <>
      {parts.map((part, i) => (
        <span key={parts.slice(0, i + 1).join(".")}>
          {i > 0 && "."}
          {i > 0 && <wbr />}
          {part}
        </span>
      ))}
    </>
  );
}

/** The "Test connection" step: each permission the sync needs, granted or missing, and what to do. */
export function ConnectTest({ connection }: { connection: Connection }) {
  const s = useStyles();
  const { client, openConsent, notify } = useSession();
  // Each round is a fresh test with its own "Testing…" state, so "Test again" visibly does something.
  const [round, setRound] = useState(0);
  const again = () => setRound((r) => r + 1);
  const test = useLoad(() => client.testConnection(connection.id), [client, connection.id, round]);
  // A new connection starts switched off when another one already syncs: say so, and offer the switch.
  const all = useLoad(() => client.connections(), [client, connection.id]);
  const current = all.data?.items.find((c) => c.id === connection.id) ?? connection;
  const off = current.status === "inactive";
  const [consenting, setConsenting] = useState(false);

  const consent = async () => {
    setConsenting(true);
    try {
      const { url } = await client.consentUrl(connection.id);
      const outcome = await openConsent(url);
      if (!outcome.ok && !outcome.closed) notify(outcome.detail ?? "Consent was not granted", "warning");
      again();
    } catch (err) {
      notify(toApiError(err).message, "error");
    } finally {
      setConsenting(false);
    }
  };

  return (
    <Loaded load={test} label="Testing the connection…">
      {(result) => (
        <div className={s.stack} aria-live="polite">
          {result.error && (
            <ProblemBar
              error={result.error}
              title="The test did not pass"
              onConsented={again}
              intent="warning"
            />
          )}
          {result.ok ? (
            <MessageBar intent="success">
              <MessageBarBody>
                <MessageBarTitle>Connection works</MessageBarTitle>
                {off
                  ? `${connection.name} can read users and groups. It is switched off for now; choose what to sync, and switch it on when it should sync.`
                  : `${connection.name} can read users and groups. Choose what to sync next.`}
              </MessageBarBody>
            </MessageBar>
          ) : (
            !result.error && (
              <MessageBar intent="warning" layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>Some permissions are missing</MessageBarTitle>
                  {connection.kind === "graph-app"
                    ? 'In the Entra admin center, open App registrations → your app → API permissions, add the missing Microsoft Graph application permissions, select "Grant admin consent", then test again.'
                    : "Grant admin consent again, signed in as a Global Administrator or Privileged Role Administrator."}
                </MessageBarBody>
              </MessageBar>
            )
          )}
          {off && all.data && (
            <ConnectionOffNotice connection={current} all={all.data.items} onChanged={all.reload} />
          )}
          <Table aria-label="Permissions" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell style={{ width: "30%" }}>Permission</TableHeaderCell>
                <TableHeaderCell style={{ width: "20%" }}>Status</TableHeaderCell>
                <TableHeaderCell>Detail</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {result.checks.map((c) => (
                <TableRow key={c.permission}>
                  <TableCell className={s.cell}>
                    <BreakAfterDots name={c.permission} />
                  </TableCell>
                  <TableCell className={s.cell}>
                    <StatusBadge
                      kind="permission"
                      value={c.optional && c.status === "missing" ? "optional-missing" : c.status}
                    />
                  </TableCell>
                  <TableCell className={s.cell}>
                    <Body1>{c.detail ?? ""}</Body1>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div className={s.actions}>
            {result.ok ? (
              <Button
                as="a"
                appearance="primary"
                href={href({ name: "settings", connectionId: connection.id })}
              >
                Choose what to sync
              </Button>
            ) : (
              connection.kind !== "graph-app" &&
              !result.error?.consentUrl && (
                <Button appearance="primary" onClick={consent} disabled={consenting}>
                  Grant admin consent
                </Button>
              )
            )}
            <Button onClick={again}>Test again</Button>
            {!result.ok && (
              <Button as="a" href={href({ name: "settings", connectionId: connection.id })}>
                Continue to settings anyway
              </Button>
            )}
            <Button as="a" appearance="subtle" href={href({ name: "home" })}>
              Back to Home
            </Button>
          </div>
        </div>
      )}
    </Loaded>
  );
}
