import { Badge, Body1, Caption1, Link, makeStyles, tokens } from "@fluentui/react-components";
import {
  Alert24Regular,
  CheckmarkCircle20Regular,
  ErrorCircle20Regular,
  KeyReset20Regular,
  Warning20Regular,
} from "@fluentui/react-icons";
import type { ReactNode } from "react";
import type { AppEvent, EventKind } from "../api/types.ts";
import { formatRelative, formatWhen } from "../app/format.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { Empty, Loaded } from "../components/States.tsx";

const ICONS: Record<EventKind, ReactNode> = {
  "sync-finished": <CheckmarkCircle20Regular />,
  "sync-failed": <ErrorCircle20Regular />,
  "sync-halted": <Warning20Regular />,
  "needs-reauth": <KeyReset20Regular />,
  "admin-warning": <Warning20Regular />,
  "delivery-failed": <ErrorCircle20Regular />,
  "webhook-disabled": <Warning20Regular />,
};

const useStyles = makeStyles({
  list: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column" },
  item: {
    display: "grid",
    gridTemplateColumns: "24px 1fr auto",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalM} 0`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  icon: { color: tokens.colorNeutralForeground2, paddingTop: "2px" },
  bad: { color: tokens.colorPaletteRedForeground1 },
  body: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  meta: { color: tokens.colorNeutralForeground2 },
});

const BAD: EventKind[] = ["sync-failed", "delivery-failed", "needs-reauth"];

/** The latest alerts, including the ones the bot could not deliver to the admin channel. */
export function Alerts() {
  const s = useStyles();
  const { client } = useSession();
  const events = useLoad(() => client.events(), [client]);
  return (
    <Loaded load={events} label="Loading alerts…">
      {(page) =>
        page.items.length === 0 ? (
          <Empty icon={<Alert24Regular />} title="No alerts">
            Sync results, failures and reauthorization requests show up here and in the admin channel.
          </Empty>
        ) : (
          <ul className={s.list}>
            {page.items.slice(0, 10).map((e) => (
              <EventItem key={e.id} event={e} styles={s} />
            ))}
          </ul>
        )
      }
    </Loaded>
  );
}

function EventItem({ event: e, styles: s }: { event: AppEvent; styles: ReturnType<typeof useStyles> }) {
  return (
    <li className={s.item}>
      <span className={BAD.includes(e.kind) ? s.bad : s.icon} aria-hidden>
        {ICONS[e.kind] ?? <Alert24Regular />}
      </span>
      <span className={s.body}>
        <Body1>
          {e.taskId ? (
            <Link href={href({ name: "task", taskId: e.taskId, query: {} })}>{e.summary}</Link>
          ) : (
            e.summary
          )}
        </Body1>
        {e.problem && (
          <Caption1>
            {e.problem.message.replace(/\.$/, "")}. {e.problem.remedy}
          </Caption1>
        )}
        {e.delivery?.status === "failed" && (
          <Caption1>
            <Badge appearance="tint" color="danger" size="small">
              Not posted to Teams
            </Badge>{" "}
            {e.delivery.error ?? "The bot could not post this alert to the admin channel."}
          </Caption1>
        )}
      </span>
      <Caption1 className={s.meta} title={formatWhen(e.createdAt)}>
        {formatRelative(e.createdAt)}
      </Caption1>
    </li>
  );
}
