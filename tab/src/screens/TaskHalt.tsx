import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { Task } from "../api/types.ts";
import { formatCount } from "../app/format.ts";
import { navigate } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";

const useStyles = makeStyles({
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  sample: { margin: `${tokens.spacingVerticalS} 0 0`, paddingLeft: tokens.spacingHorizontalXL },
});

/** A run the deletion guard stopped: what it would remove, and the admin's choice to go ahead or not. */
export function HaltPanel({
  task,
  onChanged,
  onShowDeletions,
}: {
  task: Task;
  onChanged: (t: Task) => void;
  /** Filters the records table to what would be deleted. */
  onShowDeletions: () => void;
}) {
  const s = useStyles();
  const { client, me, notify } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const halt = task.halt;
  const deletes = formatCount(halt?.wouldDelete ?? 0);
  const deactivates = formatCount(halt?.wouldDeactivate ?? 0);

  const act = async (what: "confirm" | "cancel") => {
    setBusy(true);
    setError(undefined);
    try {
      const t = what === "confirm" ? await client.confirmTask(task.id) : await client.cancelTask(task.id);
      onChanged(t);
      if (what === "confirm") {
        notify("Deletions confirmed; the sync continues");
        navigate({ name: "run", taskId: task.id });
      } else notify("Sync cancelled; nothing was deleted", "info");
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={s.stack}>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Deletion guard: waiting for your confirmation</MessageBarTitle>
          This run would delete {deletes} and deactivate {deactivates} records, more than the limit (
          {halt?.threshold ?? "deletion guard"}). Nothing has been deleted yet.
          {halt?.sample?.length ? (
            <>
              {" "}
              For example:
              <ul className={s.sample}>
                {halt.sample.slice(0, 10).map((name) => (
                  <li key={name}>{name}</li>
                ))}
              </ul>
            </>
          ) : null}
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={onShowDeletions}>Show what would be deleted</Button>
          {me.isAdmin && (
            <>
              <Dialog>
                <DialogTrigger disableButtonEnhancement>
                  <Button appearance="primary" disabled={busy}>
                    Confirm deletions
                  </Button>
                </DialogTrigger>
                <DialogSurface>
                  <DialogBody>
                    <DialogTitle>Delete {deletes} records?</DialogTitle>
                    <DialogContent>
                      The sync will delete {deletes} and deactivate {deactivates} profiles and lists that are
                      no longer in scope in Entra ID. Deleted records are kept for the connection's retention
                      period: anyone back in scope by then is restored by the next sync; after it they are
                      purged (each profile shows its purge date).
                    </DialogContent>
                    <DialogActions>
                      <DialogTrigger disableButtonEnhancement>
                        <Button appearance="secondary" size="medium">
                          Keep waiting
                        </Button>
                      </DialogTrigger>
                      <DialogTrigger disableButtonEnhancement>
                        <Button appearance="primary" size="medium" onClick={() => act("confirm")}>
                          Delete and continue
                        </Button>
                      </DialogTrigger>
                    </DialogActions>
                  </DialogBody>
                </DialogSurface>
              </Dialog>
              <Button onClick={() => act("cancel")} disabled={busy}>
                Cancel sync
              </Button>
            </>
          )}
        </MessageBarActions>
      </MessageBar>
      {error && <ProblemBar error={error} />}
    </div>
  );
}
