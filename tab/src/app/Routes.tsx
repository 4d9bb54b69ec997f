import { Link } from "@fluentui/react-components";
import { LockClosed24Regular } from "@fluentui/react-icons";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";
import { ApiAndWebhooks } from "../screens/ApiAndWebhooks.tsx";
import { Audit } from "../screens/Audit.tsx";
import { Configure } from "../screens/Configure.tsx";
import { Connect } from "../screens/Connect.tsx";
import { ConsentDone } from "../screens/ConsentDone.tsx";
import { Directory } from "../screens/Directory.tsx";
import { History } from "../screens/History.tsx";
import { Home } from "../screens/Home.tsx";
import { ListMembers } from "../screens/ListMembers.tsx";
import { ProfileDetails } from "../screens/ProfileDetails.tsx";
import { RunningSync } from "../screens/RunningSync.tsx";
import { ScimSetup } from "../screens/ScimSetup.tsx";
import { Settings } from "../screens/Settings.tsx";
import { TaskDetails } from "../screens/TaskDetails.tsx";
import { Why } from "../screens/Why.tsx";
import { href, useRoute } from "./router.ts";
import { useSession } from "./session.tsx";

/** Picks the screen for the current hash. Keys force a fresh screen when its subject changes. */
export function Routes() {
  const route = useRoute();
  const { me } = useSession();
  if (!me.canRead && !me.isAdmin)
    return (
      <Empty icon={<LockClosed24Regular />} title="You do not have access to Directory Sync">
        Only administrators of your organisation, or people they allow to read, can see the sync. Ask an
        administrator to give you the Directory Sync reader or administrator role.
      </Empty>
    );
  switch (route.name) {
    case "home":
      return <Home />;
    case "connect":
      return <Connect />;
    case "configure":
      return <Configure />;
    case "consent-done":
      return <ConsentDone ok={route.ok} {...(route.error ? { error: route.error } : {})} />;
    case "settings":
      return <Settings key={route.connectionId} connectionId={route.connectionId} />;
    case "scim":
      return <ScimSetup key={route.connectionId} connectionId={route.connectionId} />;
    case "run":
      return <RunningSync key={route.taskId} taskId={route.taskId} />;
    case "history":
      return <History query={route.query} />;
    case "task":
      return <TaskDetails key={route.taskId} taskId={route.taskId} query={route.query} />;
    case "profiles":
    case "lists":
      return <Directory tab={route.name} query={route.query} />;
    case "profile":
      return <ProfileDetails key={route.id} id={route.id} />;
    case "list":
      return <ListMembers key={route.id} id={route.id} name={route.query.name} />;
    case "why":
      return <Why who={route.who} />;
    case "audit":
      return <Audit />;
    case "api":
      return <ApiAndWebhooks />;
    case "not-found":
      return (
        <>
          <PageHeader title="Page not found" />
          <Empty
            title="This page does not exist"
            action={<Link href={href({ name: "home" })}>Go to Home</Link>}
          >
            Nothing lives at {route.path}. The link may be old or mistyped.
          </Empty>
        </>
      );
  }
}
