import { Body1, Caption1, Link, makeStyles, Tab, TabList, tokens } from "@fluentui/react-components";
import { People24Regular, PeopleTeam24Regular } from "@fluentui/react-icons";
import type { DirectoryFilters, List, Profile, RecordStatus } from "../api/types.ts";
import { formatCount, formatRelative, formatWhen, groupTypeLabel } from "../app/format.ts";
import { href, navigate } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { FilterDropdown } from "../components/FilterDropdown.tsx";
import { type Column, PagedTable } from "../components/PagedTable.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { SearchField } from "../components/SearchField.tsx";
import { Empty } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";

const useStyles = makeStyles({
  filters: {
    display: "grid",
    gridTemplateColumns: "minmax(220px, 2fr) minmax(160px, 1fr)",
    gap: tokens.spacingHorizontalM,
    margin: `${tokens.spacingVerticalM} 0 ${tokens.spacingVerticalL}`,
    "@media (max-width: 640px)": { gridTemplateColumns: "1fr" },
  },
  who: { display: "flex", flexDirection: "column" },
  muted: { color: tokens.colorNeutralForeground2 },
});

const STATUS_OPTIONS = [
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
  { value: "deleted", label: "Deleted" },
];

const changed = (iso: string) => <span title={formatWhen(iso)}>{formatRelative(iso)}</span>;
const SOURCE: Record<string, string> = { entra: "Entra ID", scim: "SCIM", manual: "Manual" };

/** The synced directory: people (profiles) and groups (lists), searchable and paged. */
export function Directory({ tab, query }: { tab: "profiles" | "lists"; query: Record<string, string> }) {
  const s = useStyles();
  const { client } = useSession();
  const filters: DirectoryFilters = {
    ...(query.q ? { q: query.q } : {}),
    ...(query.status ? { status: query.status as RecordStatus } : {}),
  };
  const go = (next: Record<string, string | undefined>, t: "profiles" | "lists" = tab) => {
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...query, ...next })) if (v) q[k] = v;
    navigate({ name: t, query: q }, { replace: true });
  };
  const profileColumns: Column<Profile>[] = [
    {
      id: "name",
      header: "Name",
      render: (p) => (
        <span className={s.who}>
          <Link href={href({ name: "profile", id: p.id })}>{p.displayName || p.sourceId}</Link>
          <Caption1 className={s.muted}>
            {String(p.fields?.email ?? p.fields?.userPrincipalName ?? "")}
          </Caption1>
        </span>
      ),
    },
    { id: "title", header: "Job title", render: (p) => String(p.fields?.jobTitle ?? "—") },
    { id: "department", header: "Department", render: (p) => String(p.fields?.department ?? "—") },
    { id: "status", header: "Status", render: (p) => <StatusBadge kind="record" value={p.status} /> },
    { id: "source", header: "Source", render: (p) => SOURCE[p.source] ?? p.source },
    { id: "changed", header: "Last change", render: (p) => changed(p.updatedAt) },
  ];
  const listColumns: Column<List>[] = [
    {
      id: "name",
      header: "Name",
      render: (l) => (
        <span className={s.who}>
          <Link href={href({ name: "list", id: l.id, query: { name: l.name } })}>{l.name}</Link>
          {l.mail && <Caption1 className={s.muted}>{l.mail}</Caption1>}
        </span>
      ),
    },
    { id: "type", header: "Type", render: (l) => groupTypeLabel({ groupTypes: l.groupTypes }) },
    { id: "members", header: "Members", render: (l) => formatCount(l.memberCount) },
    { id: "status", header: "Status", render: (l) => <StatusBadge kind="record" value={l.status} /> },
    { id: "source", header: "Source", render: (l) => SOURCE[l.source] ?? l.source },
    { id: "changed", header: "Last change", render: (l) => changed(l.updatedAt) },
  ];
  const searching = Object.keys(filters).length > 0;
  return (
    <>
      <PageHeader title="Directory" subtitle="The profiles and lists the sync keeps in step with Entra ID." />
      <TabList
        selectedValue={tab}
        onTabSelect={(_, d) => go({}, d.value as "profiles" | "lists")}
        aria-label="Directory"
      >
        <Tab value="profiles" icon={<People24Regular />}>
          People
        </Tab>
        <Tab value="lists" icon={<PeopleTeam24Regular />}>
          Groups
        </Tab>
      </TabList>
      <search aria-label={`Filter ${tab === "profiles" ? "people" : "groups"}`} className={s.filters}>
        <SearchField
          label={tab === "profiles" ? "Search people" : "Search groups"}
          placeholder={tab === "profiles" ? "Name, email or UPN" : "Group name or email"}
          value={filters.q ?? ""}
          onSearch={(q) => go({ q })}
        />
        <FilterDropdown
          label="Status"
          value={filters.status}
          options={STATUS_OPTIONS}
          onChange={(status) => go({ status })}
        />
      </search>
      {tab === "profiles" ? (
        <PagedTable
          label="People"
          columns={profileColumns}
          resetKey={`p${JSON.stringify(filters)}`}
          load={(token) => client.profiles(filters, token)}
          empty={
            <Empty icon={<People24Regular />} title={searching ? "Nobody matches" : "No people synced yet"}>
              {searching ? (
                <Body1>
                  Try another search, or{" "}
                  <Link href={href({ name: "why", who: filters.q ?? "" })}>
                    ask why someone is not synced
                  </Link>
                  .
                </Body1>
              ) : (
                "Run a sync from Home to bring people in from Entra ID."
              )}
            </Empty>
          }
        />
      ) : (
        <PagedTable
          label="Groups"
          columns={listColumns}
          resetKey={`l${JSON.stringify(filters)}`}
          load={(token) => client.lists(filters, token)}
          empty={
            <Empty
              icon={<PeopleTeam24Regular />}
              title={searching ? "No group matches" : "No groups synced yet"}
            >
              {searching ? "Try another search or status." : "Groups appear here once a sync includes lists."}
            </Empty>
          }
        />
      )}
    </>
  );
}
