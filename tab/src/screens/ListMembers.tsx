import { Caption1, Link, makeStyles, tokens } from "@fluentui/react-components";
import { People24Regular } from "@fluentui/react-icons";
import type { Profile } from "../api/types.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { type Column, PagedTable } from "../components/PagedTable.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";

const useStyles = makeStyles({
  who: { display: "flex", flexDirection: "column" },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** The members of one synced list, paged (a list can have tens of thousands). */
export function ListMembers({ id, name }: { id: string; name?: string }) {
  const s = useStyles();
  const { client } = useSession();
  const columns: Column<Profile>[] = [
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
    { id: "status", header: "Status", render: (p) => <StatusBadge kind="record" value={p.status} /> },
  ];
  return (
    <>
      <PageHeader
        title={name ?? "List members"}
        back={{ href: href({ name: "lists", query: {} }), label: "Groups" }}
        subtitle="Members"
      />
      <PagedTable
        label="Members"
        columns={columns}
        resetKey={id}
        load={(token) => client.listMembers(id, token)}
        empty={<Empty icon={<People24Regular />} title="No synced members" />}
      />
    </>
  );
}
