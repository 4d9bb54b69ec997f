import { Link } from "@fluentui/react-components";
import { CheckmarkCircle24Regular, ErrorCircle24Regular } from "@fluentui/react-icons";
import { consentErrorText } from "../app/consentWindow.ts";
import { href } from "../app/router.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";

/** Where the consent redirect lands when it was not opened as a pop-up (or the pop-up lost its opener). */
export function ConsentDone({ ok, error }: { ok: boolean; error?: string }) {
  return (
    <>
      <PageHeader title="Admin consent" />
      {ok ? (
        <Empty
          icon={<CheckmarkCircle24Regular />}
          title="Admin consent recorded"
          action={<Link href={href({ name: "home" })}>Back to Home</Link>}
        >
          You can close this window and return to Directory Sync.
        </Empty>
      ) : (
        <Empty
          icon={<ErrorCircle24Regular />}
          title="Consent was not granted"
          action={<Link href={href({ name: "home" })}>Back to Home</Link>}
        >
          {consentErrorText(error)} Sign in as a Global Administrator or Privileged Role Administrator and try
          again.
        </Empty>
      )}
    </>
  );
}
