import { Caption1, Field, Input, makeStyles, tokens } from "@fluentui/react-components";
import { ShieldTask24Regular } from "@fluentui/react-icons";
import { useState } from "react";
import type { AuditEntry, AuditFilters } from "../api/types.ts";
import { AUDIT_ACTIONS, actionLabel, fullValue, propertyLabel, valueText } from "../app/changes.ts";
import { formatWhen } from "../app/format.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { CsvDownload } from "../components/CsvDownload.tsx";
import { FilterDropdown } from "../components/FilterDropdown.tsx";
import { type Column, PagedTable } from "../components/PagedTable.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";

const useStyles = makeStyles({
  filters: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(180px, 1fr))",
    gap: tokens.spacingHorizontalM,
    alignItems: "end",
    marginBottom: tokens.spacingVerticalL,
  },
  changes: {
    margin: 0,
    padding: 0,
    listStyle: "none",
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    overflowWrap: "anywhere",
  },
  property: { fontWeight: tokens.fontWeightSemibold },
  stack: { display: "flex", flexDirection: "column", minWidth: 0, overflowWrap: "anywhere" },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** A date typed in the reader's own time zone, as the start of that day (or of the next, for "to"). */
const dayStart = (date: string, nextDay = false) => {
  const d = new Date(`${date}T00:00`);
  if (nextDay) d.setDate(d.getDate() + 1);
  return d.toISOString();
};

function ChangeList({ entry }: { entry: AuditEntry }) {
  const s = useStyles();
  const entries = Object.entries(entry.changes ?? {});
  if (!entries.length) return <>—</>;
  return (
    <ul className={s.changes} aria-label="Changed properties">
      {entries.map(([path, c]) => (
        <li key={path} className={s.stack}>
          <span className={s.property}>{propertyLabel(path)}</span>
          <span>
            <span title={fullValue(c.from)}>{valueText(c.from)}</span>
            {" → "}
            <span title={fullValue(c.to)}>{valueText(c.to)}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Who changed which setting, when: newest first, filtered by action, connection and dates, exportable. */
export function Audit() {
  const s = useStyles();
  const { client } = useSession();
  const connections = useLoad(() => client.connections(), [client]);
  const [action, setAction] = useState<string>();
  const [targetId, setTargetId] = useState<string>();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const filters: AuditFilters = {
    ...(action ? { action } : {}),
    ...(targetId ? { targetId } : {}),
    ...(from ? { since: dayStart(from) } : {}),
    ...(to ? { until: dayStart(to, true) } : {}),
  };
  const filtered = Object.keys(filters).length > 0;
  const day = new Date().toISOString().slice(0, 10);

  const columns: Column<AuditEntry>[] = [
    { id: "when", header: "When", width: "15%", render: (a) => formatWhen(a.at) },
    {
      id: "who",
      header: "Who",
      width: "18%",
      render: (a) => (
        <span className={s.stack}>
          {a.actor?.name ?? "—"}
          {a.actor?.upn && <Caption1 className={s.muted}>{a.actor.upn}</Caption1>}
        </span>
      ),
    },
    {
      id: "action",
      header: "Action",
      width: "17%",
      render: (a) => (
        <span className={s.stack}>
          {actionLabel(a.action)}
          <Caption1 className={s.muted}>{a.target?.name ?? `${a.target?.kind} ${a.target?.id}`}</Caption1>
        </span>
      ),
    },
    { id: "changes", header: "Changed properties (old → new)", render: (a) => <ChangeList entry={a} /> },
  ];
  return (
    <>
      <PageHeader title="Audit" subtitle="Who changed what, and when. Newest first." />
      <search className={s.filters} aria-label="Filter the audit log">
        <FilterDropdown
          label="Action"
          value={action}
          options={Object.entries(AUDIT_ACTIONS).map(([value, label]) => ({ value, label }))}
          onChange={setAction}
        />
        <FilterDropdown
          label="Connection"
          value={targetId}
          options={(connections.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          onChange={setTargetId}
        />
        <Field label="From">
          <Input type="date" value={from} max={to || undefined} onChange={(_, d) => setFrom(d.value)} />
        </Field>
        <Field label="To">
          <Input type="date" value={to} min={from || undefined} onChange={(_, d) => setTo(d.value)} />
        </Field>
        <div>
          <CsvDownload
            path="/api/audit.csv"
            query={{ ...filters }}
            fileName={`audit-${day}${filtered ? "-filtered" : ""}.csv`}
          />
        </div>
      </search>
      <PagedTable
        label="Audit log"
        columns={columns}
        resetKey={JSON.stringify(filters)}
        load={(token) => client.audit(filters, token)}
        empty={
          <Empty
            icon={<ShieldTask24Regular />}
            title={filtered ? "No change matches these filters" : "No changes recorded yet"}
          >
            {filtered
              ? "Clear a filter to see more."
              : "Creating connections, changing settings and confirming deletions are recorded here."}
          </Empty>
        }
      />
    </>
  );
}
