import {
  Body1,
  Button,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  ProgressBar,
  Subtitle2,
  tokens,
} from "@fluentui/react-components";
import { DismissCircle20Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { Task } from "../api/types.ts";
import {
  formatCount,
  formatDuration,
  formatWhen,
  LABELS,
  progressFraction,
  taskDuration,
} from "../app/format.ts";
import { href } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
import { CountersTable } from "../components/CountersTable.tsx";
import { PageHeader } from "../components/PageHeader.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";
import { Loading } from "../components/States.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";

const POLL_MS = 1500;
const isLive = (t: Task) => t.status === "queued" || t.status === "running";

const useStyles = makeStyles({
  stack: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center", flexWrap: "wrap" },
  phase: { color: tokens.colorNeutralForeground2 },
});

const sentence = (s: string) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);

/** A sync as it runs: progress, phase and counters, refreshed every 1.5 s, with Cancel. */
export function RunningSync({ taskId }: { taskId: string }) {
  const s = useStyles();
  const { client, me, notify } = useSession();
  const [task, setTask] = useState<Task>();
  const [error, setError] = useState<ApiError>();
  const [attempt, setAttempt] = useState(0);
  const [cancelling, setCancelling] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` restarts polling after an error.
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const t = await client.task(taskId, controller.signal);
        setTask(t);
        setError(undefined);
        if (isLive(t)) timer = setTimeout(poll, POLL_MS);
      } catch (err) {
        if (!controller.signal.aborted) setError(toApiError(err));
      }
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [client, taskId, attempt]);

  const cancel = async () => {
    setCancelling(true);
    try {
      setTask(await client.cancelTask(taskId));
      notify("Cancel requested; the sync stops after the current batch", "info");
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setCancelling(false);
    }
  };

  if (!task)
    return error ? (
      <ProblemBar error={error} onRetry={() => setAttempt((a) => a + 1)} />
    ) : (
      <Loading label="Loading the sync…" />
    );

  const fraction = progressFraction(task.progress);
  const live = isLive(task);
  const details = href({ name: "task", taskId, query: {} });
  return (
    <div className={s.stack}>
      <PageHeader
        title={`${task.taskType === "preview" ? "Preview" : "Sync"} of ${task.connectionName}`}
        back={{ href: href({ name: "home" }), label: "Home" }}
        subtitle={`${LABELS.taskType[task.taskType]} · started by ${task.requestedBy?.name ?? LABELS.trigger[task.trigger]} · ${formatDuration(taskDuration(task))}`}
        actions={
          live &&
          me.isAdmin && (
            <Button
              icon={<DismissCircle20Regular />}
              onClick={cancel}
              disabled={cancelling || task.cancelRequested}
            >
              {task.cancelRequested ? "Cancelling…" : "Cancel sync"}
            </Button>
          )
        }
      />
      {error && (
        <ProblemBar error={error} title="Lost touch with the sync" onRetry={() => setAttempt((a) => a + 1)} />
      )}
      <div className={s.row} role="status">
        <StatusBadge kind="task" value={task.status} />
        {live && <Body1 className={s.phase}>{sentence(task.progress.phase || "starting")}</Body1>}
      </div>
      {live && (
        <Field
          label="Progress"
          hint={
            task.progress.total
              ? `${formatCount(task.progress.processed)} of ${formatCount(task.progress.total)} processed`
              : `${formatCount(task.progress.processed)} processed so far`
          }
        >
          <ProgressBar value={fraction} max={1} thickness="large" />
        </Field>
      )}
      {live && task.throttle && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Microsoft Graph is throttling this sync</MessageBarTitle>
            Graph asked the sync to slow down ({formatCount(task.throttle.count)}{" "}
            {task.throttle.count === 1 ? "time" : "times"} so far, last at {formatWhen(task.throttle.lastAt)}
            ). It waits as long as Graph asks and then goes on by itself; nothing is lost meanwhile.
          </MessageBarBody>
        </MessageBar>
      )}
      {!live && <Outcome task={task} details={details} />}
      <Subtitle2 as="h2">Counters</Subtitle2>
      <CountersTable counters={task.counters} preview={task.taskType === "preview"} />
    </div>
  );
}

function Outcome({ task, details }: { task: Task; details: string }) {
  const viewDetails = (
    <Button as="a" href={details} appearance="primary">
      View details
    </Button>
  );
  if (task.status === "succeeded")
    return (
      <MessageBar intent="success">
        <MessageBarBody>
          <MessageBarTitle>
            {task.taskType === "preview" ? "Preview finished" : "Sync finished"}
          </MessageBarTitle>
          {task.taskType === "preview" ? "Nothing was changed; the details list what a sync would do." : ""}
        </MessageBarBody>
        <MessageBarActions>{viewDetails}</MessageBarActions>
      </MessageBar>
    );
  if (task.status === "halted")
    return (
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Stopped by the deletion guard</MessageBarTitle>
          This run would delete {formatCount(task.halt?.wouldDelete)} and deactivate{" "}
          {formatCount(task.halt?.wouldDeactivate)} records ({task.halt?.threshold}). Nothing was deleted.
          Review them, then confirm or cancel.
        </MessageBarBody>
        <MessageBarActions>
          <Button as="a" href={details} appearance="primary">
            Review deletions
          </Button>
        </MessageBarActions>
      </MessageBar>
    );
  if (task.status === "failed")
    return (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{task.error?.message ?? "The sync failed"}</MessageBarTitle>
          {task.error?.remedy ?? "Open the details to see which records failed."}
        </MessageBarBody>
        <MessageBarActions>{viewDetails}</MessageBarActions>
      </MessageBar>
    );
  return (
    <MessageBar intent="info">
      <MessageBarBody>
        <MessageBarTitle>Sync cancelled</MessageBarTitle>
        The sync stopped at an admin's request. The details show what it did before it stopped.
      </MessageBarBody>
      <MessageBarActions>{viewDetails}</MessageBarActions>
    </MessageBar>
  );
}
