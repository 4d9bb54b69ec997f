import {
  Button,
  Caption1,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwise16Regular, ChevronLeft16Regular, ChevronRight16Regular } from "@fluentui/react-icons";
import { type ReactNode, useState } from "react";
import type { Page } from "../api/types.ts";
import { useLoad } from "../app/useLoad.ts";
import { ScrollRegion } from "./ScrollRegion.tsx";
import { Loaded } from "./States.tsx";

export interface Column<T> {
  id: string;
  header: string;
  render: (item: T) => ReactNode;
  /** A CSS width for the column (the table lays columns out evenly otherwise). */
  width?: string;
}

const useStyles = makeStyles({
  footer: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    paddingTop: tokens.spacingVerticalS,
  },
  grow: { flexGrow: 1 },
  cell: {
    verticalAlign: "top",
    paddingTop: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalXS,
  },
});

/**
 * A table over a paged API list. The API pages with continuation tokens, so the table keeps the tokens it
 * has seen to go back; changing `resetKey` (filters, search) starts again at page one.
 */
export function PagedTable<T extends { id: string }>({
  label,
  columns,
  load,
  resetKey,
  empty,
}: {
  label: string;
  columns: Column<T>[];
  load: (continuationToken: string | undefined, signal: AbortSignal) => Promise<Page<T>>;
  resetKey: string;
  empty: ReactNode;
}) {
  const s = useStyles();
  const [paging, setPaging] = useState({
    key: resetKey,
    tokens: [undefined] as (string | undefined)[],
    index: 0,
  });
  if (paging.key !== resetKey) setPaging({ key: resetKey, tokens: [undefined], index: 0 });
  const token = paging.tokens[paging.index];
  const page = useLoad((signal) => load(token, signal), [resetKey, paging.index, token]);
  const next = page.data?.continuationToken;

  const goNext = () => {
    if (!next) return;
    const tokens = paging.tokens.slice(0, paging.index + 1);
    tokens.push(next);
    setPaging({ ...paging, tokens, index: paging.index + 1 });
  };

  return (
    <Loaded load={page}>
      {(data) =>
        data.items.length === 0 && paging.index === 0 ? (
          empty
        ) : (
          <>
            <ScrollRegion label={label}>
              <Table aria-label={label} size="small">
                <TableHeader>
                  <TableRow>
                    {columns.map((c) => (
                      <TableHeaderCell key={c.id} style={c.width ? { width: c.width } : undefined}>
                        {c.header}
                      </TableHeaderCell>
                    ))}
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.items.map((item) => (
                    <TableRow key={item.id}>
                      {columns.map((c) => (
                        <TableCell key={c.id} className={s.cell}>
                          {c.render(item)}
                        </TableCell>
                      ))}
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </ScrollRegion>
            <nav className={s.footer} aria-label={`${label} pages`}>
              <Caption1 className={s.grow}>
                Page {paging.index + 1} · {data.items.length} shown
              </Caption1>
              <Button icon={<ArrowClockwise16Regular />} appearance="subtle" onClick={page.reload}>
                Refresh
              </Button>
              <Button
                icon={<ChevronLeft16Regular />}
                disabled={paging.index === 0}
                onClick={() => setPaging({ ...paging, index: paging.index - 1 })}
              >
                Previous
              </Button>
              <Button icon={<ChevronRight16Regular />} iconPosition="after" disabled={!next} onClick={goNext}>
                Next
              </Button>
            </nav>
          </>
        )
      }
    </Loaded>
  );
}
