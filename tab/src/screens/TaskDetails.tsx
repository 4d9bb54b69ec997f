import {
  Body1,
  Button,
  Caption1,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Subtitle2,
  tokens,
} from "@fluentui/react-components";
import { DocumentSearch24Regular } from "@fluentui/react-icons";
import type { ReactNode } from "react";
import { RECORD_ACTIONS } from "../../../api/domain/records.ts";
import { describeWelcome } from "../../../api/domain/welcome-template.ts";
import type { RecordAction, RecordFilters, RecordMember, Task, TaskRecord } from "../api/types.ts";
import { propertyLabel, valueText } from "../app/changes.ts";
import { formatDuration, formatWhen, LABELS, taskDuration } from "../app/format.ts";
import { href, navigate } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { CountersTable } from "../components/CountersTable.tsx";
import { CsvDownload } from "../components/CsvDownload.tsx";
import { FilterDropdown } from "../components/FilterDropdown.tsx";
import { type Column, PagedTable } from "../components/PagedTable.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { SearchField } from "../components/SearchField.tsx";
import { Empty, Loaded } from "../components/States.tsx";
import { StatusBadge, statusLabel } from "../components/StatusBadge.tsx";
import { HaltPanel } from "./TaskHalt.tsx";

const useStyles = makeStyles({
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  facts: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(180px, 1fr))",
    gap: tokens.spacingVerticalM,
    margin: 0,
  },
  fact: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  term: { color: tokens.colorNeutralForeground2 },
  dd: { margin: 0 },
  filters: {
    display: "grid",
    gridTemplateColumns: "minmax(220px, 2fr) repeat(2, minmax(160px, 1fr))",
    gap: tokens.spacingHorizontalM,
    "@media (max-width: 640px)": { gridTemplateColumns: "1fr" },
  },
  who: { display: "flex", flexDirection: "column", minWidth: 0, overflowWrap: "anywhere" },
  muted: { color: tokens.colorNeutralForeground2 },
  field: { fontWeight: tokens.fontWeightSemibold },
});

/** The name the API gives the export: filtered downloads never overwrite the full one. */
const recordsFileName = (taskId: string, f: RecordFilters) => {
  const parts = [f.kind, f.action, f.q ? "search" : undefined].filter(Boolean);
  return `sync-${taskId}${parts.length ? `-${parts.join("-")}` : ""}.csv`;
};

/** One task: what it was, how it ended, and every record it touched or skipped, with reasons. */
export function TaskDetails({ taskId, query }: { taskId: string; query: Record<string, string> }) {
  const s = useStyles();
  const { client } = useSession();
  const task = useLoad(() => client.task(taskId), [client, taskId]);
  const filters: RecordFilters = {
    ...(query.q ? { q: query.q } : {}),
    ...(query.action ? { action: query.action as RecordAction } : {}),
    ...(query.kind ? { kind: query.kind as "user" | "list" } : {}),
  };
  const setFilter = (key: keyof RecordFilters, value: string | undefined) => {
    const next: Record<string, string> = { ...query };
    if (value) next[key] = value;
    else delete next[key];
    navigate({ name: "task", taskId, query: next }, { replace: true });
  };

  return (
    <Loaded load={task} label="Loading the sync…">
      {(t) => (
        <div className={s.stack}>
          <PageHeader
            title={`${t.taskType === "preview" ? "Preview" : "Sync"} of ${t.connectionName}`}
            back={{ href: href({ name: "history", query: {} }), label: "History" }}
            subtitle={formatWhen(t.startedAt ?? t.createdAt)}
            actions={
              <>
                {(t.status === "running" || t.status === "queued") && (
                  <Button as="a" appearance="primary" href={href({ name: "run", taskId })}>
                    Watch progress
                  </Button>
                )}
                <CsvDownload
                  path={client.recordsCsvPath(taskId)}
                  query={{ ...filters }}
                  fileName={recordsFileName(taskId, filters)}
                />
              </>
            }
          />
          <Facts task={t} styles={s} />
          {t.error && (
            <MessageBar intent="error" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>{t.error.message}</MessageBarTitle>
                {t.error.remedy}
              </MessageBarBody>
            </MessageBar>
          )}
          {t.status === "halted" && (
            <HaltPanel
              task={t}
              onChanged={task.set}
              onShowDeletions={() => setFilter("action", "pending-delete")}
            />
          )}
          {t.notes?.map((note) => (
            <MessageBar key={note} intent="info">
              <MessageBarBody>{note}</MessageBarBody>
            </MessageBar>
          ))}
          <Subtitle2 as="h2">Counters</Subtitle2>
          <CountersTable counters={t.counters} preview={t.taskType === "preview"} />
          <Subtitle2 as="h2">Records</Subtitle2>
          <search aria-label="Filter records" className={s.filters}>
            <SearchField
              label="Search records"
              placeholder="Name, email or UPN"
              value={filters.q ?? ""}
              onSearch={(q) => setFilter("q", q)}
            />
            <FilterDropdown
              label="Action"
              value={filters.action}
              options={RECORD_ACTIONS.map((a) => ({ value: a, label: statusLabel("action", a) }))}
              onChange={(v) => setFilter("action", v)}
            />
            <FilterDropdown
              label="Kind"
              value={filters.kind}
              options={[
                { value: "user", label: "Users" },
                { value: "list", label: "Lists" },
              ]}
              onChange={(v) => setFilter("kind", v)}
            />
          </search>
          <PagedTable
            label="Records"
            columns={recordColumns(s)}
            resetKey={JSON.stringify(filters)}
            load={(token) => client.taskRecords(taskId, filters, token)}
            empty={
              <Empty icon={<DocumentSearch24Regular />} title="No records">
                {Object.keys(filters).length
                  ? "No record matches the search and filters."
                  : "This task did not touch any record."}
              </Empty>
            }
          />
        </div>
      )}
    </Loaded>
  );
}

function Facts({ task: t, styles: s }: { task: Task; styles: ReturnType<typeof useStyles> }) {
  const facts: [string, ReactNode][] = [
    ["Status", <StatusBadge key="s" kind="task" value={t.status} />],
    ["Type", LABELS.taskType[t.taskType] ?? t.taskType],
    ["Trigger", LABELS.trigger[t.trigger] ?? t.trigger],
    ["Started by", t.requestedBy?.name ?? "—"],
    ["Started", formatWhen(t.startedAt ?? t.createdAt)],
    ["Finished", formatWhen(t.finishedAt)],
    ["Duration", formatDuration(taskDuration(t))],
  ];
  return (
    <dl className={s.facts}>
      {facts.map(([term, value]) => (
        <div key={term} className={s.fact}>
          <dt className={s.term}>
            <Caption1>{term}</Caption1>
          </dt>
          <dd className={s.dd}>{typeof value === "string" ? <Body1>{value}</Body1> : value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A member named in a list's record, linked to their profile when there is one. */
function MemberLink({ m }: { m: RecordMember }) {
  return m.profileId ? (
    <Link href={href({ name: "profile", id: m.profileId })}>{m.name}</Link>
  ) : (
    <span>{m.name}</span>
  );
}

function MemberNames({ label, members }: { label: string; members: RecordMember[] }) {
  if (members.length === 0) return null;
  return (
    <span>
      {label}:{" "}
      {members.map((m, i) => (
        <span key={m.sourceId}>
          {i > 0 && ", "}
          <MemberLink m={m} />
        </span>
      ))}
    </span>
  );
}

/** What changed: each field with its old and new value, or who joined and left a list. */
function RecordChanges({ r, s }: { r: TaskRecord; s: ReturnType<typeof useStyles> }) {
  const changes = Object.entries(r.changes ?? {});
  if (changes.length === 0 && !r.members)
    return <>{r.changedFields?.length ? r.changedFields.map(propertyLabel).join(", ") : "—"}</>;
  return (
    <span className={s.who}>
      {changes.map(([field, c]) => (
        <span key={field}>
          <span className={s.field}>{propertyLabel(field)}:</span> {valueText(c.from)} → {valueText(c.to)}
        </span>
      ))}
      {r.members && (
        <>
          <MemberNames label="Added" members={r.members.added} />
          <MemberNames label="Removed" members={r.members.removed} />
        </>
      )}
    </span>
  );
}

function recordColumns(s: ReturnType<typeof useStyles>): Column<TaskRecord>[] {
  return [
    {
      id: "name",
      header: "Name",
      width: "26%",
      render: (r) => {
        const address = r.email ?? r.upn;
        const target = r.profileId
          ? href({ name: "profile", id: r.profileId })
          : r.listId
            ? href({ name: "list", id: r.listId, query: {} })
            : undefined;
        return (
          <span className={s.who}>
            {target ? (
              <Link href={target}>{r.name || r.sourceId}</Link>
            ) : (
              <Body1>{r.name || r.sourceId}</Body1>
            )}
            {address && <Caption1 className={s.muted}>{address}</Caption1>}
            {r.kind === "user" && address && (
              <Caption1>
                <Link href={href({ name: "why", who: address })} aria-label={`Why: ${r.name || address}`}>
                  Why?
                </Link>
              </Caption1>
            )}
          </span>
        );
      },
    },
    { id: "kind", header: "Kind", width: "8%", render: (r) => (r.kind === "user" ? "User" : "List") },
    {
      id: "action",
      header: "Action",
      width: "15%",
      render: (r) => <StatusBadge kind="action" value={r.action} />,
    },
    // Reasons are sentences: they get the room.
    {
      id: "reason",
      header: "Reason",
      width: "25%",
      render: (r) =>
        r.welcome ? (
          <div className={s.who}>
            <span>{r.reason ?? "—"}</span>
            <Caption1 className={s.muted}>{describeWelcome(r.welcome)}</Caption1>
          </div>
        ) : (
          (r.reason ?? "—")
        ),
    },
    {
      id: "changed",
      header: "What changed",
      width: "26%",
      render: (r) => <RecordChanges r={r} s={s} />,
    },
  ];
}
