import {
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Link,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Subtitle2,
  tokens,
} from "@fluentui/react-components";
import { CloudArrowUp20Regular, History20Regular, Settings20Regular } from "@fluentui/react-icons";
import type { ApiError } from "../api/client.ts";
import type { Connection } from "../api/types.ts";
import { formatInterval, formatRelative, formatWhen, LABELS } from "../app/format.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { LiveUpdates } from "../components/LiveUpdates.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { SyncNowMenu } from "../components/SyncNowMenu.tsx";
import { DeleteConnectionButton } from "./ConnectionDelete.tsx";
import { ConnectionOffNotice, syncBlockedReason } from "./ConnectionOff.tsx";

const useStyles = makeStyles({
  card: { gap: tokens.spacingVerticalM },
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
    alignItems: "center",
  },
  term: { color: tokens.colorNeutralForeground2 },
  value: {
    margin: 0,
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
  },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
});

function scopeSummary(c: Connection): string {
  // Entra's enterprise app decides who is pushed: its assignments and scope, not this connection's settings.
  if (c.kind === "scim") return "Users and groups assigned to the enterprise application in Entra";
  const s = c.settings;
  if (!s) return "—";
  const users =
    s.users.scope === "all"
      ? "all users"
      : s.users.scope === "groups"
        ? `members of ${s.users.groupIds.length} group${s.users.groupIds.length === 1 ? "" : "s"}`
        : s.users.scope === "emails"
          ? `${s.users.emails.length} listed email${s.users.emails.length === 1 ? "" : "s"}`
          : `${s.users.administrativeUnitIds.length} administrative unit(s)`;
  if (s.what === "users") return `Users: ${users}`;
  const lists = s.lists.scope === "all" ? "all groups" : `${s.lists.groupIds.length} chosen groups`;
  return s.what === "lists" ? `Lists: ${lists}` : `Users: ${users} · Lists: ${lists}`;
}

export function ConnectionCard({
  connection: c,
  all,
  onError,
  onChanged,
}: {
  connection: Connection;
  /** Every connection of the tenant: a switched-off one explains which other one syncs instead. */
  all: Connection[];
  onError: (e: ApiError) => void;
  onChanged: () => void;
}) {
  const s = useStyles();
  const { me } = useSession();
  const headingId = `conn-${c.id}`;
  const push = c.kind === "scim";
  return (
    <Card className={s.card} aria-labelledby={headingId}>
      <CardHeader
        header={
          <Subtitle2 as="h2" id={headingId}>
            {c.name}
          </Subtitle2>
        }
        description={<Caption1>{LABELS.connectionKind[c.kind] ?? c.kind}</Caption1>}
        action={<StatusBadge kind="connection" value={c.status} />}
      />
      {c.status === "error" && c.statusProblem && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            {c.statusProblem.message.replace(/\.$/, "")}. {c.statusProblem.remedy}
          </MessageBarBody>
        </MessageBar>
      )}
      <ConnectionOffNotice connection={c} all={all} onChanged={onChanged} />
      {c.warning && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            {c.warning.message.replace(/\.$/, "")}. {c.warning.remedy}
          </MessageBarBody>
        </MessageBar>
      )}
      <dl className={s.facts}>
        <dt className={s.term}>Last run</dt>
        <dd className={s.value}>
          {c.lastTask ? (
            <>
              <StatusBadge kind="task" value={c.lastTask.status} />
              <Link
                href={href({ name: "task", taskId: c.lastTask.id, query: {} })}
                title={formatWhen(c.lastTask.finishedAt)}
              >
                {LABELS.taskType[c.lastTask.type]},{" "}
                {c.lastTask.finishedAt ? formatRelative(c.lastTask.finishedAt) : "in progress"}
              </Link>
            </>
          ) : (
            <Body1>Never synced</Body1>
          )}
        </dd>
        <dt className={s.term}>Next run</dt>
        <dd className={s.value}>
          <Body1>
            {c.status === "inactive"
              ? "Connection is turned off"
              : push
                ? "When Entra's provisioning service next sends changes (about every 40 minutes)"
                : !c.schedule?.enabled
                  ? "Scheduled syncs are off"
                  : c.nextRunAt
                    ? `${formatRelative(c.nextRunAt)} (${formatWhen(c.nextRunAt)})`
                    : formatInterval(c.schedule.intervalMinutes)}
          </Body1>
        </dd>
        <dt className={s.term}>Changes in Entra</dt>
        <dd className={s.value}>
          {push ? (
            <Body1>Pushed by Entra's provisioning service (SCIM)</Body1>
          ) : (
            <LiveUpdates connection={c} />
          )}
        </dd>
        <dt className={s.term}>Scope</dt>
        <dd className={s.value}>
          <Body1>{scopeSummary(c)}</Body1>
        </dd>
      </dl>
      <div className={s.actions}>
        {push && me.isAdmin && (
          <Button as="a" href={href({ name: "scim", connectionId: c.id })} icon={<CloudArrowUp20Regular />}>
            Entra provisioning
          </Button>
        )}
        {me.isAdmin && !push && (
          <SyncNowMenu
            connectionId={c.id}
            connectionName={c.name}
            disabledReason={syncBlockedReason(c, all)}
            onError={onError}
          />
        )}
        <Button as="a" href={href({ name: "settings", connectionId: c.id })} icon={<Settings20Regular />}>
          Settings
        </Button>
        <Button
          as="a"
          href={href({ name: "history", query: { connectionId: c.id } })}
          appearance="subtle"
          icon={<History20Regular />}
        >
          History
        </Button>
        {me.isAdmin && <DeleteConnectionButton connection={c} onDeleted={onChanged} />}
      </div>
    </Card>
  );
}
