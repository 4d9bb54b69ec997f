import { Badge, Body1, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import { Clock16Regular, Flash16Regular } from "@fluentui/react-icons";
import type { Connection } from "../api/types.ts";
import { formatRelative, formatWhen } from "../app/format.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";

const useStyles = makeStyles({
  line: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS },
  why: { color: tokens.colorNeutralForeground2, flexBasis: "100%" },
});

/**
 * "Live" when Microsoft Graph's change notifications wake the connection (with the last one's time), or
 * "Schedule only" with the reason and what to do about it.
 */
export function LiveUpdates({ connection }: { connection: Connection }) {
  const s = useStyles();
  const { client } = useSession();
  const live = useLoad((signal) => client.connectionLive(connection.id, signal), [client, connection.id]);
  if (live.state === "loading") return <Body1>…</Body1>;
  if (live.state === "error") return <Body1>Unknown ({live.error.message})</Body1>;
  const status = live.data;
  if (status.state === "push") return <Body1>Pushed by the Entra provisioning service</Body1>;
  if (status.state === "off") return <Body1>Connection is turned off</Body1>;
  if (status.state === "live")
    return (
      <span className={s.line}>
        <Badge color="success" appearance="tint" icon={<Flash16Regular />}>
          Live
        </Badge>
        <Body1 title={formatWhen(status.lastNotificationAt)}>
          {status.lastNotificationAt
            ? `last change from Entra ${formatRelative(status.lastNotificationAt)}`
            : "no change from Entra yet"}
        </Body1>
      </span>
    );
  return (
    <span className={s.line}>
      <Badge color="subtle" appearance="tint" icon={<Clock16Regular />}>
        Schedule only
      </Badge>
      {status.problem && (
        <Caption1 className={s.why}>
          {status.problem.message.replace(/\.$/, "")}. {status.problem.remedy}
        </Caption1>
      )}
    </span>
  );
}
