import { percentile } from "./live-latency.ts";

/**
 * The tab's read paths, as the tab calls them: for each tab, its first page, the pages after it (by
 * continuation token), its searches and filters. Each call is timed end to end over HTTP.
 */
export interface TabLatency {
  tab: string;
  calls: number;
  p50Ms: number;
  maxMs: number;
  /** The slowest call, to say which request missed the target. */
  slowest: string;
}

type Call = (path: string) => Promise<Record<string, unknown>>;

interface Page {
  items: Record<string, unknown>[];
  continuationToken?: string;
}

const PAGES_AFTER_FIRST = 3;
const REPEATS = 3;

export async function measureTabPages(
  call: Call,
  fullSyncTaskId: string,
  now = () => performance.now(),
): Promise<TabLatency[]> {
  const timings = new Map<string, { ms: number; path: string }[]>();
  const timed = async (tab: string, path: string): Promise<Page> => {
    const started = now();
    const body = (await call(path)) as unknown as Page;
    if (!Array.isArray(body.items)) throw new Error(`${path}: ${JSON.stringify(body).slice(0, 200)}`);
    const list = timings.get(tab) ?? [];
    list.push({ ms: now() - started, path });
    timings.set(tab, list);
    return body;
  };
  /** A first page, then the pages after it by continuation token; returns the first page. */
  const browse = async (tab: string, path: string) => {
    const first = await timed(tab, path);
    const separator = path.includes("?") ? "&" : "?";
    let page = first;
    for (let i = 0; i < PAGES_AFTER_FIRST && page.continuationToken; i++)
      page = await timed(
        tab,
        `${path}${separator}continuationToken=${encodeURIComponent(page.continuationToken)}`,
      );
    return first;
  };

  for (let round = 0; round < REPEATS; round++) {
    await browse("people", "/api/profiles");
    await browse("people", "/api/profiles?q=smith");
    await browse("people", "/api/profiles?status=active");
    await browse("people", "/api/profiles?status=inactive");
    const firstLists = await browse("lists", "/api/lists");
    await browse("lists", "/api/lists?q=team");
    for (const list of firstLists.items.slice(0, 3))
      await browse("list members", `/api/lists/${encodeURIComponent(String(list.id))}/members`);
    await browse("history", "/api/tasks");
    await browse("history", "/api/tasks?type=full");
    const records = `/api/tasks/${encodeURIComponent(fullSyncTaskId)}/records`;
    await browse("task records", records);
    await browse("task records", `${records}?q=smith`);
    await browse("task records", `${records}?action=created&kind=user`);
  }
  return [...timings].map(([tab, list]) => {
    const sorted = list.map((t) => t.ms).sort((a, b) => a - b);
    const slowest = list.reduce((a, b) => (b.ms > a.ms ? b : a));
    return {
      tab,
      calls: list.length,
      p50Ms: percentile(sorted, 50),
      maxMs: sorted.at(-1) ?? Number.NaN,
      slowest: slowest.path.replace(/continuationToken=[^&]+/, "continuationToken=…"),
    };
  });
}
