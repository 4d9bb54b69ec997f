import { Field, Input, Link, makeStyles, tokens } from "@fluentui/react-components";
import { History24Regular } from "@fluentui/react-icons";
import { TASK_STATUSES } from "../../../api/contract/task-values.ts";
import type { Task, TaskFilters, TaskStatus, TaskTrigger, TaskType } from "../api/types.ts";
import { formatDuration, formatWhen, LABELS, taskDuration } from "../app/format.ts";
import { href, navigate } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { countersSummary } from "../components/CountersTable.tsx";
import { FilterDropdown } from "../components/FilterDropdown.tsx";
import { type Column, PagedTable } from "../components/PagedTable.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";

const useStyles = makeStyles({
  filters: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(180px, 1fr))",
    gap: tokens.spacingHorizontalM,
    marginBottom: tokens.spacingVerticalL,
  },
});

/** A day picked in the reader's own time zone, as the start of that day (or of the next, for "to"). */
const dayStart = (date: string, nextDay = false): string | undefined => {
  const d = new Date(`${date}T00:00`);
  if (Number.isNaN(d.getTime())) return undefined; // A hand-edited address is ignored, not a crash.
  if (nextDay) d.setDate(d.getDate() + 1);
  return d.toISOString();
};

const entries = <K extends string>(o: Record<K, string>) =>
  (Object.entries(o) as [K, string][]).map(([value, label]) => ({ value, label }));

const COLUMNS: Column<Task>[] = [
  {
    id: "when",
    header: "When",
    width: "13%",
    render: (t) => (
      <Link
        href={href(
          t.status === "running" || t.status === "queued"
            ? { name: "run", taskId: t.id }
            : { name: "task", taskId: t.id, query: {} },
        )}
      >
        {formatWhen(t.startedAt ?? t.createdAt)}
      </Link>
    ),
  },
  { id: "connection", header: "Connection", width: "13%", render: (t) => t.connectionName },
  {
    id: "trigger",
    header: "Trigger and who",
    width: "15%",
    render: (t) => {
      const trigger = LABELS.trigger[t.trigger] ?? t.trigger;
      const who = t.requestedBy?.name;
      return who && who !== trigger ? `${trigger} · ${who}` : trigger;
    },
  },
  { id: "type", header: "Type", width: "10%", render: (t) => LABELS.taskType[t.taskType] ?? t.taskType },
  {
    id: "status",
    header: "Status",
    // Room for the widest badge ("Succeeded" with its icon) at 1024 px; narrower, it ran into Duration.
    width: "14%",
    render: (t) => <StatusBadge kind="task" value={t.status} />,
  },
  { id: "duration", header: "Duration", width: "8%", render: (t) => formatDuration(taskDuration(t)) },
  {
    id: "users",
    header: "Users",
    width: "13%",
    render: (t) => countersSummary(t.counters?.users, t.taskType === "preview"),
  },
  {
    id: "lists",
    header: "Lists",
    width: "13%",
    render: (t) => countersSummary(t.counters?.lists, t.taskType === "preview"),
  },
];

/** Every sync, newest first, filtered by connection, status, type and trigger (kept in the URL). */
export function History({ query }: { query: Record<string, string> }) {
  const s = useStyles();
  const { client } = useSession();
  const connections = useLoad(() => client.connections(), [client]);
  const filters: TaskFilters = {
    ...(query.connectionId ? { connectionId: query.connectionId } : {}),
    ...(query.status ? { status: query.status as TaskStatus } : {}),
    ...(query.type ? { type: query.type as TaskType } : {}),
    ...(query.trigger ? { trigger: query.trigger as TaskTrigger } : {}),
    ...(query.from && dayStart(query.from) ? { since: dayStart(query.from) } : {}),
    ...(query.to && dayStart(query.to, true) ? { until: dayStart(query.to, true) } : {}),
  };
  const setDay = (key: "from" | "to", value: string) => {
    const next: Record<string, string> = { ...query };
    if (value) next[key] = value;
    else delete next[key];
    navigate({ name: "history", query: next }, { replace: true });
  };
  const setFilter = (key: keyof TaskFilters, value: string | undefined) => {
    const next: Record<string, string> = { ...query };
    if (value) next[key] = value;
    else delete next[key];
    navigate({ name: "history", query: next }, { replace: true });
  };
  const filtered = Object.keys(filters).length > 0;

  return (
    <>
      <PageHeader title="History" subtitle="Every sync and preview, newest first." />
      <search className={s.filters} aria-label="Filter history">
        <FilterDropdown
          label="Connection"
          value={filters.connectionId}
          options={(connections.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          onChange={(v) => setFilter("connectionId", v)}
        />
        <FilterDropdown
          label="Status"
          value={filters.status}
          options={TASK_STATUSES.map((v) => ({ value: v, label: v.charAt(0).toUpperCase() + v.slice(1) }))}
          onChange={(v) => setFilter("status", v)}
        />
        <FilterDropdown
          label="Type"
          value={filters.type}
          options={entries(LABELS.taskType)}
          onChange={(v) => setFilter("type", v)}
        />
        <FilterDropdown
          label="Trigger"
          value={filters.trigger}
          options={entries(LABELS.trigger)}
          onChange={(v) => setFilter("trigger", v)}
        />
        <Field label="From">
          <Input
            type="date"
            value={query.from ?? ""}
            max={query.to || undefined}
            onChange={(_, d) => setDay("from", d.value)}
          />
        </Field>
        <Field label="To">
          <Input
            type="date"
            value={query.to ?? ""}
            min={query.from || undefined}
            onChange={(_, d) => setDay("to", d.value)}
          />
        </Field>
      </search>
      <PagedTable
        label="Sync history"
        columns={COLUMNS}
        resetKey={JSON.stringify(filters)}
        load={(token) => client.tasks(filters, token)}
        empty={
          <Empty
            icon={<History24Regular />}
            title={filtered ? "No sync matches these filters" : "No syncs yet"}
          >
            {filtered ? "Clear a filter to see more." : "Run a sync from Home; it will be listed here."}
          </Empty>
        }
      />
    </>
  );
}
