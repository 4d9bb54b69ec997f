import {
  Button,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useRef, useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { DeveloperApi, FeedEvent } from "../api/developer.ts";
import { formatWhen } from "../app/format.ts";
import { ProblemBar } from "../components/ProblemBar.tsx";

/** How often the view asks the feed for more, the way a consumer polling it would. */
const POLL_MS = 5_000;
/** The newest events kept on screen. */
const SHOWN = 20;

const useStyles = makeStyles({
  bar: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    marginBottom: tokens.spacingVerticalS,
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
  },
});

const short = (id: string | undefined) => (id && id.length > 13 ? `${id.slice(0, 8)}…` : (id ?? ""));
/** What the event is about, in words where the snapshot has them (memberships carry only ids). */
function subject(e: FeedEvent): string {
  const d = e.data;
  switch (d.object) {
    case "membership":
      return `${short(d.memberEntraObjectId)} in group ${short(d.listEntraObjectId)}`;
    case "profile":
      return d.displayName;
    case "list":
      return d.name;
    case "connection":
      return d.summary;
  }
}

/**
 * The tenant's change feed as it grows: the same GET /api/v1/events an application polls, followed from the
 * start and kept to the newest events, so an admin can see what consumers are being sent.
 */
export function LiveEvents({ api }: { api: DeveloperApi }) {
  const s = useStyles();
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [problem, setProblem] = useState<ApiError>();
  const [paused, setPaused] = useState(false);
  const after = useRef("0");

  useEffect(() => {
    if (paused) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const page = await api.events(after.current, controller.signal);
        after.current = page.nextCursor;
        setCursor(page.nextCursor);
        setProblem(undefined);
        if (page.data.length) setEvents((now) => [...page.data.reverse(), ...now].slice(0, SHOWN));
        // A consumer catching up reads the next page at once; one that is up to date waits.
        timer = setTimeout(poll, page.hasMore ? 0 : POLL_MS);
      } catch (err) {
        if (controller.signal.aborted) return;
        setProblem(toApiError(err));
        timer = setTimeout(poll, POLL_MS);
      }
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [api, paused]);

  return (
    <>
      <div className={s.bar}>
        <Button onClick={() => setPaused((p) => !p)}>{paused ? "Resume" : "Pause"}</Button>
        <span role="status">
          {paused ? "Paused" : "Following the change feed"}
          {cursor ? ` · cursor ${cursor}` : ""}
        </span>
      </div>
      {problem && <ProblemBar error={problem} title="The change feed could not be read" />}
      {events.length === 0 ? (
        <p>No events yet. A sync that changes the directory adds them here.</p>
      ) : (
        <Table aria-label="Latest events" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>Type</TableHeaderCell>
              <TableHeaderCell>Object</TableHeaderCell>
              <TableHeaderCell>Cause</TableHeaderCell>
              <TableHeaderCell>Event id</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {events.map((e) => (
              <TableRow key={e.id}>
                <TableCell>{formatWhen(e.occurredAt)}</TableCell>
                <TableCell>{e.type}</TableCell>
                <TableCell>{subject(e)}</TableCell>
                <TableCell>{e.cause.trigger ?? "—"}</TableCell>
                <TableCell className={s.mono}>{e.id}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
