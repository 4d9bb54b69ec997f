import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { Loaded } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { ScimSetupPanel } from "./ScimSetupPanel.tsx";

/** A push connection's page: where Entra sends to, with which token, and how to set Entra up. */
export function ScimSetup({ connectionId }: { connectionId: string }) {
  const { client } = useSession();
  const connection = useLoad(() => client.connection(connectionId), [client, connectionId]);
  return (
    <Loaded load={connection} label="Loading the connection…">
      {(c) => (
        <>
          <PageHeader
            title={`Entra provisioning: ${c.name}`}
            back={{ href: href({ name: "home" }), label: "Home" }}
            subtitle="Push mode: Entra's provisioning service sends changes over SCIM 2.0; nothing is read from Graph."
            actions={<StatusBadge kind="connection" value={c.status} />}
          />
          <ScimSetupPanel connectionId={c.id} onConnectionChanged={connection.reload} />
        </>
      )}
    </Loaded>
  );
}
