import { Caption1, Link, makeStyles, tokens } from "@fluentui/react-components";
import { People24Regular } from "@fluentui/react-icons";
import type { ListMember } from "../api/types.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { type Column, PagedTable } from "../components/PagedTable.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";

type Member = ListMember & { id: string };

const useStyles = makeStyles({
  who: { display: "flex", flexDirection: "column" },
  muted: { color: tokens.colorNeutralForeground2 },
});

/** The members of one synced list, paged (a list can have tens of thousands). */
export function ListMembers({ id, name }: { id: string; name?: string }) {
  const s = useStyles();
  const { client } = useSession();
  const columns: Column<Member>[] = [
    {
      id: "name",
      header: "Name",
      render: (m) => (
        <span className={s.who}>
          {m.profileId ? (
            <Link href={href({ name: "profile", id: m.profileId })}>{m.displayName || m.sourceId}</Link>
          ) : (
            <span>{m.displayName || m.sourceId}</span>
          )}
          <Caption1 className={s.muted}>{m.email ? String(m.email) : ""}</Caption1>
        </span>
      ),
    },
    { id: "title", header: "Job title", render: (m) => (m.jobTitle ? String(m.jobTitle) : "—") },
    {
      id: "status",
      header: "Status",
      render: (m) => (m.status ? <StatusBadge kind="record" value={m.status} /> : "—"),
    },
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
        load={async (token) => {
          const page = await client.listMembers(id, token);
          return { ...page, items: page.items.map((m) => ({ ...m, id: m.sourceId })) };
        }}
        empty={<Empty icon={<People24Regular />} title="No synced members" />}
      />
    </>
  );
}
