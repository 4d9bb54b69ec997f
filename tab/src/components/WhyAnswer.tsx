import {
  Body1,
  Caption1,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { CheckmarkCircle20Regular, DismissCircle20Regular } from "@fluentui/react-icons";
import { describeWelcome } from "../../../api/domain/welcome-template.ts";
import { formatWhen } from "../app/format.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { Loaded } from "./States.tsx";
import { StatusBadge } from "./StatusBadge.tsx";

const useStyles = makeStyles({
  // Addresses are long single words: they wrap rather than run out of the answer's box.
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, overflowWrap: "anywhere" },
  checks: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  check: {
    display: "grid",
    gridTemplateColumns: "24px 1fr",
    gap: tokens.spacingHorizontalS,
    alignItems: "start",
  },
  pass: { color: tokens.colorPaletteGreenForeground1 },
  fail: { color: tokens.colorPaletteRedForeground1 },
  text: { display: "flex", flexDirection: "column" },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** The API's answer to "why is this person (not) synced?": a verdict, then each check behind it. */
export function WhyAnswer({ who }: { who: string }) {
  const s = useStyles();
  const { client } = useSession();
  const answer = useLoad(() => client.why(who), [client, who]);
  return (
    <Loaded load={answer} label={`Looking up ${who}…`}>
      {(a) => (
        <div className={s.stack} aria-live="polite">
          <MessageBar intent={a.synced ? "success" : "warning"} layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>{a.synced ? `${a.who} is synced` : `${a.who} is not synced`}</MessageBarTitle>
              {/* The title already says "not synced"; keep only the reason. */}
              {a.synced ? a.verdict : a.verdict.replace(/^Not synced:\s*/i, "")}
            </MessageBarBody>
          </MessageBar>
          {a.checks.length > 0 && (
            <ul className={s.checks} aria-label="Scope check per connection">
              {a.checks.map((c) => (
                <li key={c.connectionId} className={s.check}>
                  <span className={c.inScope ? s.pass : s.fail}>
                    {c.inScope ? (
                      <CheckmarkCircle20Regular aria-label="In scope" />
                    ) : (
                      <DismissCircle20Regular aria-label="Not in scope" />
                    )}
                  </span>
                  <span className={s.text}>
                    <Body1>
                      {c.connectionName}: {c.inScope ? "in scope" : "not in scope"}
                    </Body1>
                    {c.reasons.map((r) => (
                      <Caption1 key={r} className={s.muted}>
                        {r}
                      </Caption1>
                    ))}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {a.profile && (
            <Body1>
              Profile: <Link href={href({ name: "profile", id: a.profile.id })}>{a.profile.displayName}</Link>{" "}
              <StatusBadge kind="record" value={a.profile.status} />
            </Body1>
          )}
          {a.lastRecord && (
            <Body1>
              Last sync action: <StatusBadge kind="action" value={a.lastRecord.action} />
              {a.lastRecord.reason ? ` ${a.lastRecord.reason}` : ""}
              {a.lastRecord.changedFields?.length ? ` (${a.lastRecord.changedFields.join(", ")})` : ""} ·{" "}
              <Link href={href({ name: "task", taskId: a.lastRecord.taskId, query: {} })}>
                {formatWhen(a.lastRecord.at)}
              </Link>
            </Body1>
          )}
          {a.welcome && (
            <Body1>
              {describeWelcome(a.welcome)} · {formatWhen(a.welcome.at)}
            </Body1>
          )}
        </div>
      )}
    </Loaded>
  );
}
