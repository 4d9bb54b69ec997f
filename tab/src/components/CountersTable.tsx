import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import type { Counters } from "../api/types.ts";
import { formatCount } from "../app/format.ts";
import { ScrollRegion } from "./ScrollRegion.tsx";

const COLUMNS: [keyof Counters, string][] = [
  ["processed", "Processed"],
  ["created", "Created"],
  ["updated", "Updated"],
  ["unchanged", "Unchanged"],
  ["deactivated", "Deactivated"],
  ["deleted", "Deleted"],
  ["restored", "Restored"],
  ["skipped", "Skipped"],
  ["errors", "Errors"],
];

/** A preview changes nothing: its counters say what a sync would do ("Would create"), never "Created". */
const WOULD: Partial<Record<keyof Counters, string>> = {
  created: "Would create",
  updated: "Would update",
  deactivated: "Would deactivate",
  deleted: "Would delete",
  restored: "Would restore",
  skipped: "Would skip",
};

/** What a task did (or, for a preview, would do), for users and for lists. */
export function CountersTable({
  counters,
  label = "Counters",
  preview = false,
}: {
  counters: { users: Counters; lists: Counters };
  label?: string;
  preview?: boolean;
}) {
  return (
    <ScrollRegion label={label}>
      <Table size="small" aria-label={label}>
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Kind</TableHeaderCell>
            {COLUMNS.map(([key, title]) => (
              <TableHeaderCell key={key}>{(preview && WOULD[key]) || title}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {(
            [
              ["Users", counters.users],
              ["Lists", counters.lists],
            ] as const
          ).map(([kind, c]) => (
            <TableRow key={kind}>
              <TableCell>{kind}</TableCell>
              {COLUMNS.map(([key]) => (
                <TableCell key={key}>{formatCount(c?.[key])}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </ScrollRegion>
  );
}

/** "12 created · 3 updated · 1 deleted" for a table cell; only the counters that are not zero. */
export function countersSummary(c: Counters | undefined, preview = false): string {
  if (!c) return "—";
  const parts = (["created", "updated", "deactivated", "deleted", "restored", "skipped", "errors"] as const)
    .filter((k) => c[k] > 0)
    .map((k) => `${formatCount(c[k])} ${preview && WOULD[k] ? `to ${WOULD[k]?.slice(6).toLowerCase()}` : k}`);
  return parts.length ? parts.join(" · ") : c.processed ? `${formatCount(c.processed)} unchanged` : "none";
}
