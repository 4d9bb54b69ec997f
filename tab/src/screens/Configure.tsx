import { useEffect } from "react";
import { useSession } from "../app/session.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";
import { enableTabConfiguration } from "../teams/host.ts";

/** The channel tab's configuration page: nothing to choose, the tab shows this tenant's sync. */
export function Configure() {
  const { inTeams } = useSession();
  useEffect(() => {
    if (inTeams) void enableTabConfiguration(new URL("index.html#/", window.location.href).toString());
  }, [inTeams]);
  return (
    <>
      <PageHeader title="Add Directory Sync to this channel" />
      <Empty title="Ready to add">
        The tab shows your organisation's Entra ID sync: connections, history and the synced directory. Select
        Save to add it to the channel.
      </Empty>
    </>
  );
}
