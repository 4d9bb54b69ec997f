import type { ConnectionStatus, ConnectionView, TaskView } from "../views.ts";
import {
  type AdaptiveCard,
  adaptiveCard,
  type CardElement,
  facts,
  heading,
  openUrl,
  plain,
  text,
} from "./card.ts";
import { statusLabel, typeLabel, when } from "./format.ts";
import type { Links } from "./links.ts";
import { scheduleText } from "./schedule.ts";

const CONNECTION_STATUS: Record<ConnectionStatus, string> = {
  active: "Active",
  inactive: "Switched off",
  "needs-reauth": "Needs reauthorization",
  error: "Error",
};

function connectionBlock(connection: ConnectionView, running: TaskView | undefined): CardElement[] {
  const schedule = scheduleText(connection);
  const last = connection.lastTask
    ? `${typeLabel(connection.lastTask.type)}: ${statusLabel(connection.lastTask.status)}${
        connection.lastTask.finishedAt ? `, ${when(connection.lastTask.finishedAt)}` : ""
      }`
    : "No sync yet";
  const problem = connection.statusProblem ?? connection.warning;
  return [
    text(plain(connection.name), { weight: "Bolder", spacing: "Medium" }),
    facts([
      ["Status", CONNECTION_STATUS[connection.status]],
      ["Running now", running ? `${typeLabel(running.taskType)}: ${running.progress.phase}` : undefined],
      ["Last sync", last],
      ["Schedule", schedule],
      [
        "Next run",
        connection.schedule.enabled && connection.status === "active"
          ? when(connection.nextRunAt)
          : undefined,
      ],
    ]),
    ...(problem
      ? [text(`${problem.message} **What to do:** ${problem.remedy}`, { color: "Attention" })]
      : []),
  ];
}

export function statusCard(
  state: { connections: ConnectionView[]; running: TaskView[] },
  links: Links,
): AdaptiveCard {
  if (state.connections.length === 0)
    return adaptiveCard(
      [
        heading("No connection yet"),
        text("An admin connects the Entra tenant in the Directory Sync tab; then syncs can run."),
      ],
      { actions: [openUrl("Open Directory Sync", links.home())] },
    );
  return adaptiveCard(
    [
      heading("Directory sync status"),
      ...state.connections.flatMap((connection) =>
        connectionBlock(
          connection,
          state.running.find((task) => task.connectionId === connection.id),
        ),
      ),
    ],
    { actions: [openUrl("Open Directory Sync", links.home())] },
  );
}
