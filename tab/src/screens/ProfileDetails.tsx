import {
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from "@fluentui/react-components";
import type { FieldValue } from "../api/types.ts";
import { formatValue, formatWhen } from "../app/format.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { PROFILE_FIELDS } from "../app/settingsForm.ts";
import { useLoad } from "../app/useLoad.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { ScrollRegion } from "../components/ScrollRegion.tsx";
import { Loaded } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { WhyAnswer } from "../components/WhyAnswer.tsx";

const useStyles = makeStyles({
  columns: {
    display: "grid",
    gridTemplateColumns: "minmax(0, 3fr) minmax(0, 2fr)",
    gap: tokens.spacingHorizontalXXL,
    "@media (max-width: 900px)": { gridTemplateColumns: "minmax(0, 1fr)" },
  },
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  // Links one above the other need 24 px targets (WCAG 2.5.8): a little room between the lines.
  lists: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  // Emails and UPNs are long single words: they wrap inside their cell rather than run out of it.
  value: { overflowWrap: "anywhere" },
});

function ValuesTable({
  label,
  values,
  order,
  writers,
}: {
  label: string;
  values: Record<string, FieldValue>;
  order?: readonly string[];
  /** Field to the name of the connection that wrote it: only when more than one connection writes this person. */
  writers?: Record<string, string>;
}) {
  const s = useStyles();
  const keys = Object.keys(values).sort((a, b) => {
    const ia = order?.indexOf(a) ?? -1;
    const ib = order?.indexOf(b) ?? -1;
    return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib) || a.localeCompare(b);
  });
  return (
    <ScrollRegion label={label}>
      <Table size="small" aria-label={label}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Field</TableHeaderCell>
            <TableHeaderCell>Value</TableHeaderCell>
            {writers && <TableHeaderCell>Written by</TableHeaderCell>}
          </TableRow>
        </TableHeader>
        <TableBody>
          {keys.map((k) => (
            <TableRow key={k}>
              <TableCell>{k}</TableCell>
              <TableCell className={s.value}>{formatValue(values[k])}</TableCell>
              {writers && <TableCell>{writers[k] ?? ""}</TableCell>}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </ScrollRegion>
  );
}

/** One synced person: their fields and attributes, their lists, and why they are (not) synced. */
export function ProfileDetails({ id }: { id: string }) {
  const s = useStyles();
  const { client } = useSession();
  const profile = useLoad(() => client.profile(id), [client, id]);
  const connections = useLoad(() => client.connections(), [client]);
  // A person both pulled over Graph and pushed over SCIM: say which connection wrote each field.
  const writersOf = (owners: Record<string, string> | undefined) => {
    if (!owners) return undefined;
    const names = new Map((connections.data?.items ?? []).map((c) => [c.id, c.name]));
    return Object.fromEntries(Object.entries(owners).map(([field, id]) => [field, names.get(id) ?? id]));
  };
  return (
    <Loaded load={profile} label="Loading the profile…">
      {(p) => {
        const who = String(p.fields?.email ?? p.fields?.userPrincipalName ?? "");
        return (
          <>
            <PageHeader
              title={p.displayName || p.sourceId}
              back={{ href: href({ name: "profiles", query: {} }), label: "Directory" }}
              subtitle={`Entra object id ${p.sourceId} · last changed ${formatWhen(p.updatedAt)}${p.deletedAt ? ` · deleted ${formatWhen(p.deletedAt)}` : ""}`}
              actions={<StatusBadge kind="record" value={p.status} />}
            />
            {p.status === "deleted" && (
              <MessageBar intent="warning" layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>Deleted {formatWhen(p.deletedAt)}</MessageBarTitle>
                  {p.purgeAfter
                    ? `Kept until ${formatWhen(p.purgeAfter)}, then purged. `
                    : "Kept for the connection's retention period, then purged. "}
                  To restore this profile, bring the person back into the connection's scope in Entra ID (or
                  widen the scope); the next sync restores it with the same id.
                </MessageBarBody>
              </MessageBar>
            )}
            <div className={s.columns}>
              <div className={s.stack}>
                <Subtitle2 as="h2">Profile fields</Subtitle2>
                <ValuesTable
                  label="Profile fields"
                  values={p.fields ?? {}}
                  order={PROFILE_FIELDS}
                  writers={writersOf(p.fieldOwners)}
                />
                {Object.keys(p.attributes ?? {}).length > 0 && (
                  <>
                    <Subtitle2 as="h2">Custom attributes</Subtitle2>
                    <ValuesTable label="Custom attributes" values={p.attributes} />
                  </>
                )}
              </div>
              <div className={s.stack}>
                <Subtitle2 as="h2">Why is this person synced?</Subtitle2>
                {who ? <WhyAnswer who={who} /> : "This profile has no email or UPN to look up."}
                <Subtitle2 as="h2">Lists</Subtitle2>
                {p.lists?.length ? (
                  <ul className={s.lists}>
                    {p.lists.map((l) => (
                      <li key={l.id}>
                        <Link href={href({ name: "list", id: l.id, query: { name: l.name } })}>{l.name}</Link>
                      </li>
                    ))}
                  </ul>
                ) : (
                  "Not a member of any synced list."
                )}
              </div>
            </div>
          </>
        );
      }}
    </Loaded>
  );
}
