import { Body1, Card, Link, makeStyles, Subtitle1, tokens } from "@fluentui/react-components";
import { LockClosed24Regular } from "@fluentui/react-icons";
import { type ReactNode, useMemo } from "react";
import { developerApi } from "../api/developer.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";
import { ApiKeys } from "./ApiKeys.tsx";
import { LiveEvents } from "./LiveEvents.tsx";
import { DisabledEndpointBanner, WebhookEndpoints } from "./WebhookEndpoints.tsx";

const useStyles = makeStyles({
  card: {
    padding: tokens.spacingHorizontalXL,
    gap: tokens.spacingVerticalL,
    marginTop: tokens.spacingVerticalL,
  },
  head: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  desc: { color: tokens.colorNeutralForeground2 },
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, minWidth: 0 },
});

/** A titled part of the screen, as wide as the screen: its logs and tables need the room. */
function Part({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description: string;
  children: ReactNode;
}) {
  const s = useStyles();
  return (
    <Card className={s.card} aria-labelledby={id} role="region">
      <div className={s.head}>
        <Subtitle1 as="h2" id={id}>
          {title}
        </Subtitle1>
        <Body1 className={s.desc}>{description}</Body1>
      </div>
      <div className={s.body}>{children}</div>
    </Card>
  );
}

/**
 * Where an admin lets the tenant's applications use the directory: API keys, webhook endpoints with their
 * deliveries, and the change feed as it happens.
 */
export function ApiAndWebhooks() {
  const { client, me } = useSession();
  const api = useMemo(() => developerApi(client), [client]);
  if (!me.isAdmin)
    return (
      <>
        <PageHeader title="API and webhooks" />
        <Empty icon={<LockClosed24Regular />} title="Only Directory Sync administrators manage API access">
          Ask an administrator for an API key for your application.
        </Empty>
      </>
    );
  return (
    <>
      <PageHeader
        title="API and webhooks"
        subtitle={
          <>
            Let your applications read the directory and follow its changes.{" "}
            <Link href="/api/v1/reference" target="_blank" rel="noreferrer">
              API reference
            </Link>
          </>
        }
      />
      <DisabledEndpoints api={api} />
      <Part
        id="api-keys"
        title="API keys"
        description="Applications call /api/v1 with a key as a bearer token."
      >
        <ApiKeys api={api} />
      </Part>
      <Part
        id="webhooks"
        title="Webhook endpoints"
        description="Each change is posted to your receiver, signed with the endpoint's secret, until it answers 2xx."
      >
        <WebhookEndpoints api={api} />
      </Part>
      <Part
        id="events"
        title="Live events"
        description="The change feed your applications read, newest first."
      >
        <LiveEvents api={api} />
      </Part>
    </>
  );
}

/** Endpoints switched off after days of failed deliveries, said at the top of the screen. */
function DisabledEndpoints({ api }: { api: ReturnType<typeof developerApi> }) {
  const endpoints = useLoad(() => api.webhooks(), [api]);
  const disabled = endpoints.data?.data.filter((e) => e.status === "disabled" && e.disabledReason) ?? [];
  return (
    <>
      {disabled.map((e) => (
        <DisabledEndpointBanner key={e.id} endpoint={e} />
      ))}
    </>
  );
}
