import { Button } from "@fluentui/react-components";
import { ArrowDownload20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { toApiError } from "../api/client.ts";
import { useSession } from "../app/session.tsx";

type Query = Record<string, string | undefined>;

/**
 * "Download CSV". Standalone it is a plain link (the session cookie authenticates it); inside Teams the
 * file is fetched with the SSO token and handed to the browser, because a link cannot carry the token.
 */
export function CsvDownload({ path, query, fileName }: { path: string; query: Query; fileName: string }) {
  const { client, inTeams, notify } = useSession();
  const [busy, setBusy] = useState(false);
  if (!inTeams)
    return (
      <Button as="a" href={client.url(path, query)} download={fileName} icon={<ArrowDownload20Regular />}>
        Download CSV
      </Button>
    );
  const download = async () => {
    setBusy(true);
    try {
      const blob = await client.blob(path, query);
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      notify(toApiError(err).message, "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={<ArrowDownload20Regular />} onClick={download} disabled={busy}>
      {busy ? "Preparing…" : "Download CSV"}
    </Button>
  );
}
