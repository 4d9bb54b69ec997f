import { Body1, Button, MessageBar, MessageBarBody, makeStyles, tokens } from "@fluentui/react-components";
import { History20Regular, Settings20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import type { IssuedScimToken } from "../api/types.ts";
import { formatRelative, formatWhen } from "../app/format.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { CopyField } from "../components/CopyField.tsx";
import { Section } from "../components/Section.tsx";
import { ShownOnce } from "../components/ShownOnce.tsx";
import { Loaded } from "../components/States.tsx";
import { ConnectionOffNotice } from "./ConnectionOff.tsx";
import { ScimTokens } from "./ScimTokens.tsx";
import { ScimWalkthrough } from "./ScimWalkthrough.tsx";

const useStyles = makeStyles({
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  muted: { color: tokens.colorNeutralForeground2 },
});

/**
 * What an admin needs to point Entra's provisioning service at a push connection: the tenant URL, the
 * secret token (only right after it was made), the tokens Entra may hold, and Entra's setup step by step.
 */
export function ScimSetupPanel({
  connectionId,
  issued: firstIssued,
  onConnectionChanged,
}: {
  connectionId: string;
  /** A token just made (the connection was created this moment): shown until the admin closes it. */
  issued?: IssuedScimToken;
  /** The connection was switched on here: a page that shows its status loads it again. */
  onConnectionChanged?: () => void;
}) {
  const s = useStyles();
  const { client, me, notify } = useSession();
  const [issued, setIssued] = useState(firstIssued);
  const setup = useLoad(() => client.scimSetup(connectionId), [client, connectionId]);
  // A push connection that is switched off refuses Entra's requests (401): say so where the token is.
  const all = useLoad(() => client.connections(), [client, connectionId]);
  const current = all.data?.items.find((c) => c.id === connectionId);

  return (
    <Loaded load={setup} label="Loading the provisioning setup…">
      {(d) => (
        <div className={s.stack}>
          {current?.status === "inactive" && all.data && (
            <>
              <MessageBar intent="warning" layout="multiline">
                <MessageBarBody>
                  While this connection is off, the endpoint refuses Entra's requests, and Entra's Test
                  Connection fails. Turn it on before testing in Entra.
                </MessageBarBody>
              </MessageBar>
              <ConnectionOffNotice
                connection={current}
                all={all.data.items}
                onChanged={() => {
                  all.reload();
                  onConnectionChanged?.();
                }}
              />
            </>
          )}
          {issued && (
            <>
              <ShownOnce label="Secret token" value={issued.token} onDone={() => setIssued(undefined)} />
              {issued.previousValidUntil && (
                <MessageBar intent="info" layout="multiline">
                  <MessageBarBody>
                    The previous token keeps working until {formatWhen(issued.previousValidUntil)}: paste the
                    new one into Entra before then.
                  </MessageBarBody>
                </MessageBar>
              )}
            </>
          )}
          <Section
            id="scim-credentials"
            title="Tenant URL and secret token"
            description="Entra's provisioning service sends people and groups here. Directory Sync keeps only a hash of each token."
          >
            <CopyField label="Tenant URL" value={d.tenantUrl} />
            <Body1 className={s.muted}>
              {d.lastRequestAt
                ? `Entra last sent a change ${formatRelative(d.lastRequestAt)} (${formatWhen(d.lastRequestAt)}).`
                : "Entra has not sent a change yet. The token list shows whether its Test Connection got through."}
            </Body1>
            <ScimTokens
              connectionId={connectionId}
              tokens={d.tokens}
              readOnly={!me.isAdmin}
              onRotated={(next) => {
                setIssued(next);
                notify("New secret token made: copy it now");
                setup.reload();
              }}
            />
          </Section>
          <Section
            id="scim-walkthrough"
            title="Set up provisioning in Entra"
            description="Follow these steps in the Microsoft Entra admin center, with the values shown here."
          >
            <ScimWalkthrough setup={d} tokenShown={!!issued} />
          </Section>
          <div className={s.actions}>
            <Button
              as="a"
              href={href({ name: "history", query: { connectionId } })}
              icon={<History20Regular />}
            >
              Provisioning cycles in History
            </Button>
            <Button as="a" href={href({ name: "settings", connectionId })} icon={<Settings20Regular />}>
              Settings
            </Button>
          </div>
        </div>
      )}
    </Loaded>
  );
}
