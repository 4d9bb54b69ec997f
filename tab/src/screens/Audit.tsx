import { Caption1, makeStyles, tokens } from "@fluentui/react-components";
import { ShieldTask24Regular } from "@fluentui/react-icons";
import type { AuditEntry } from "../api/types.ts";
import { formatWhen } from "../app/format.ts";
import { useSession } from "../app/session.tsx";
import { type Column, PagedTable } from "../components/PagedTable.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";

const useStyles = makeStyles({
  changes: { margin: 0, paddingLeft: tokens.spacingHorizontalL, overflowWrap: "anywhere" },
  who: { display: "flex", flexDirection: "column" },
  muted: { color: tokens.colorNeutralForeground2 },
});

function show(v: unknown): string {
  if (v === undefined || v === null || v === "") return "(empty)";
  if (typeof v === "string") return v;
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** Who changed which setting, when: newest first. */
export function Audit() {
  const s = useStyles();
  const { client } = useSession();
  const columns: Column<AuditEntry>[] = [
    { id: "when", header: "When", width: "15%", render: (a) => formatWhen(a.at) },
    {
      id: "who",
      header: "Who",
      width: "17%",
      render: (a) => (
        <span className={s.who}>
          {a.actor?.name ?? "—"}
          {a.actor?.upn && <Caption1 className={s.muted}>{a.actor.upn}</Caption1>}
        </span>
      ),
    },
    { id: "action", header: "Action", width: "13%", render: (a) => a.action },
    {
      id: "target",
      header: "Target",
      width: "15%",
      render: (a) => a.target?.name ?? `${a.target?.kind} ${a.target?.id}`,
    },
    {
      id: "changes",
      header: "Changes",
      width: "40%",
      render: (a) => {
        const entries = Object.entries(a.changes ?? {});
        if (!entries.length) return "—";
        return (
          <ul className={s.changes}>
            {entries.slice(0, 8).map(([path, c]) => (
              <li key={path}>
                {path}: {show(c.from)} → {show(c.to)}
              </li>
            ))}
            {entries.length > 8 && <li>and {entries.length - 8} more</li>}
          </ul>
        );
      },
    },
  ];
  return (
    <>
      <PageHeader title="Audit" subtitle="Who changed what, and when. Newest first." />
      <PagedTable
        label="Audit log"
        columns={columns}
        resetKey="audit"
        load={(token) => client.audit(token)}
        empty={
          <Empty icon={<ShieldTask24Regular />} title="No changes recorded yet">
            Creating connections, changing settings and confirming deletions are recorded here.
          </Empty>
        }
      />
    </>
  );
}
