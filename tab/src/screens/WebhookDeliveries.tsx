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
import { toApiError } from "../api/client.ts";
import type { DeveloperApi, WebhookDelivery, WebhookEndpoint } from "../api/developer.ts";
import { formatWhen } from "../app/format.ts";
import { useSession } from "../app/session.tsx";
import { useLoad } from "../app/useLoad.ts";
import { Loaded } from "../components/States.tsx";

const useStyles = makeStyles({
  excerpt: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "anywhere",
    maxWidth: "260px",
  },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

function lastAttempt(d: WebhookDelivery) {
  return d.attempts[d.attempts.length - 1];
}

/** One endpoint's deliveries, newest first: each one's outcome, the receiver's answer, and redelivery. */
export function DeliveryLog({ api, endpoint }: { api: DeveloperApi; endpoint: WebhookEndpoint }) {
  const s = useStyles();
  const { notify } = useSession();
  const log = useLoad((signal) => api.deliveries(endpoint.id, signal), [api, endpoint.id]);
  const redeliver = async (what: { eventId: string } | { after: string }) => {
    try {
      const { queued } = await api.redeliver(endpoint.id, what);
      notify(queued === 1 ? "1 event queued for delivery" : `${queued} events queued for delivery`);
      log.reload();
    } catch (err) {
      notify(toApiError(err).message, "error");
    }
  };
  return (
    <Loaded load={log} label="Loading deliveries…">
      {({ data }) =>
        data.length === 0 ? (
          <p>Nothing delivered to this endpoint yet.</p>
        ) : (
          <Table aria-label={`Deliveries to ${endpoint.url}`} size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Event</TableHeaderCell>
                <TableHeaderCell>Outcome</TableHeaderCell>
                <TableHeaderCell>Answer</TableHeaderCell>
                <TableHeaderCell>Latency</TableHeaderCell>
                <TableHeaderCell>Response</TableHeaderCell>
                <TableHeaderCell>Actions</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.map((d) => {
                const last = lastAttempt(d);
                return (
                  <TableRow key={d.id}>
                    <TableCell>
                      {d.eventType}
                      <br />
                      {last ? formatWhen(last.at) : ""}
                    </TableCell>
                    <TableCell>
                      {d.status === "delivered" ? "Delivered" : d.status === "failed" ? "Failed" : "Pending"}
                      {d.attempts.length > 1 ? ` after ${d.attempts.length} attempts` : ""}
                      {d.nextAttemptAt ? `, next try ${formatWhen(d.nextAttemptAt)}` : ""}
                    </TableCell>
                    <TableCell>{last ? last.status || "No answer" : "—"}</TableCell>
                    <TableCell>{last ? `${last.latencyMs} ms` : "—"}</TableCell>
                    <TableCell className={s.excerpt}>{last?.excerpt || "—"}</TableCell>
                    <TableCell>
                      <div className={s.actions}>
                        <Button size="small" onClick={() => redeliver({ eventId: d.eventId })}>
                          Redeliver
                        </Button>
                        <Button
                          size="small"
                          onClick={() => redeliver({ after: String(Math.max(0, Number(d.cursor) - 1)) })}
                        >
                          Redeliver from here
                        </Button>
                      </div>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )
      }
    </Loaded>
  );
}
