import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { TheirChange } from "../app/settingsMerge.ts";

const useStyles = makeStyles({
  list: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalXL },
});

/** Names a person recognises for the settings most often changed; the rest by their path. */
const LABELS: Record<string, string> = {
  name: "Name",
  "schedule.enabled": "Run syncs on a schedule",
  "schedule.intervalMinutes": "Sync every (minutes)",
  "schedule.fullEveryHours": "Full reconciliation every (hours)",
  "settings.what": "What to sync",
  "settings.mirror": "Mirror Entra ID",
  "settings.updateOnly": "Update only",
  "settings.photos": "Sync profile photos",
  "settings.users.scope": "Users in scope",
  "settings.users.emails": "Email addresses in scope",
  "settings.users.groupIds": "Groups in scope",
  "settings.lists.scope": "Groups in scope (lists)",
  "settings.mapping": "Attribute mapping",
  "settings.welcome.enabled": "Welcome notices",
  "settings.welcome.channel": "Send welcome notices as",
  "settings.welcome.mailbox": "Send welcome notices from mailbox",
  "settings.welcome.subject": "Welcome notice subject",
  "settings.welcome.body": "Welcome notice message",
};

const labelOf = (path: string[]) =>
  LABELS[path.join(".")] ?? path.filter((p, i) => !(i === 0 && p === "settings")).join(" › ");

function show(value: unknown): string {
  if (value === undefined || value === null || value === "") return "(empty)";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (Array.isArray(value)) return value.length === 1 ? "1 entry" : `${value.length} entries`;
  if (typeof value === "string") return `“${value}”`;
  return String(value);
}

/**
 * Another admin saved these settings while this one was editing. Says what they changed and lets this admin
 * merge (their changes kept, this admin's edits on top) or load their version; the form keeps every edit
 * until one of the two is chosen.
 */
export function SettingsConflict({
  changes,
  busy,
  onMerge,
  onLoadTheirs,
}: {
  changes: TheirChange[];
  busy: boolean;
  onMerge: () => void;
  onLoadTheirs: () => void;
}) {
  const s = useStyles();
  const overlapping = changes.some((c) => c.alsoMine);
  return (
    <section aria-label="Changed by someone else">
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Someone else saved these settings while you were editing</MessageBarTitle>
          Your edits are still here. They changed:
          <ul className={s.list}>
            {changes.map((c) => (
              <li key={c.path.join(".")}>
                {labelOf(c.path)}: {show(c.from)} → {show(c.to)}
                {c.alsoMine ? " (you changed it too; merging keeps yours)" : ""}
              </li>
            ))}
          </ul>
          {overlapping
            ? "Merge to keep their other changes and your edits, or load their version instead."
            : "Merge to keep their changes and your edits together, or load their version instead."}
        </MessageBarBody>
        <MessageBarActions>
          <Button appearance="primary" onClick={onMerge} disabled={busy}>
            Merge and save
          </Button>
          <Button onClick={onLoadTheirs} disabled={busy}>
            Discard my edits and load theirs
          </Button>
        </MessageBarActions>
      </MessageBar>
    </section>
  );
}
