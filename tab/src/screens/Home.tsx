import { Button, makeStyles, Subtitle1, tokens } from "@fluentui/react-components";
import { Add20Regular, PlugDisconnected24Regular } from "@fluentui/react-icons";
import { useState } from "react";
import type { ApiError } from "../api/client.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";
import { Empty, Loaded } from "../components/States.tsx";
import { Alerts } from "./HomeAlerts.tsx";
import { ConnectionCard } from "./HomeConnectionCard.tsx";
import { ReauthBanner } from "./HomeReauth.tsx";
import { WebhooksOffBanner } from "./HomeWebhooksOff.tsx";

const useStyles = makeStyles({
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(340px, 1fr))",
    gap: tokens.spacingHorizontalL,
  },
  section: { marginTop: tokens.spacingVerticalXXL },
});

/** Connections at a glance, what needs attention, and a way to sync now. */
export function Home() {
  const s = useStyles();
  const { client, me } = useSession();
  const connections = useLoad(() => client.connections(), [client]);
  const [actionError, setActionError] = useState<ApiError>();

  const addButton = me.isAdmin && (
    <Button as="a" href={href({ name: "connect" })} appearance="secondary" icon={<Add20Regular />}>
      Add connection
    </Button>
  );

  return (
    <div className={s.stack}>
      <PageHeader
        title="Home"
        subtitle="Your Entra ID connections, their last and next syncs, and recent alerts."
        actions={addButton}
      />
      {me.isAdmin && <WebhooksOffBanner />}
      {actionError && (
        <ProblemBar
          error={actionError}
          title="The sync did not start"
          onRetry={() => setActionError(undefined)}
        />
      )}
      <Loaded load={connections} label="Loading connections…">
        {(page) =>
          page.items.length === 0 ? (
            <Empty
              icon={<PlugDisconnected24Regular />}
              title="No connection to Entra ID yet"
              action={
                me.isAdmin ? (
                  <Button
                    as="a"
                    href={href({ name: "connect" })}
                    appearance="primary"
                    icon={<Add20Regular />}
                  >
                    Connect to Entra ID
                  </Button>
                ) : undefined
              }
            >
              {me.isAdmin
                ? "Connect your tenant to start keeping profiles and lists in sync with Entra ID."
                : "An administrator has not connected Entra ID yet."}
            </Empty>
          ) : (
            <>
              {page.items
                .filter((c) => c.status === "needs-reauth")
                .map((c) => (
                  <ReauthBanner
                    key={c.id}
                    connection={c}
                    onDone={connections.reload}
                    onError={setActionError}
                  />
                ))}
              <div className={s.grid}>
                {page.items.map((c) => (
                  <ConnectionCard
                    key={c.id}
                    connection={c}
                    all={page.items}
                    onError={setActionError}
                    onChanged={connections.reload}
                  />
                ))}
              </div>
            </>
          )
        }
      </Loaded>
      <section className={s.section} aria-labelledby="alerts-heading">
        <Subtitle1 as="h2" id="alerts-heading">
          Recent alerts
        </Subtitle1>
        <Alerts />
      </section>
    </div>
  );
}
