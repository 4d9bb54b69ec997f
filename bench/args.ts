import { parseSize, type TenantSize } from "./sizes.ts";

export interface BenchArgs {
  sizes: TenantSize[];
  /** Added by the simulator to every Graph request ($batch: once per batch). */
  latencyMs: number;
  /** Only "change to visible": notifications against polling every minute. */
  live: boolean;
  /** Only the directory-events rows (full sync with events off and on, drain, webhooks). */
  eventsOnly: boolean;
  /** With --events: only the full syncs with events off and on, without the feed drain and webhooks. */
  eventsSyncOnly: boolean;
  /** Only the SCIM push row: an Entra-shaped load generator provisions each size over SCIM. */
  scim: boolean;
  /** SCIM requests in flight (objects provisioned at once). */
  scimConcurrency: number;
  /** Only each size's full sync: at 300k and 1M the other runs would take hours on the local stand-ins. */
  fullOnly: boolean;
  /** Skip each size's directory-events rows (two more full syncs, a feed drain and webhooks). */
  noEvents: boolean;
  /** Only the simulator's own time per page of a first /users/delta round. */
  simDelta: boolean;
  /** Only the local stack's read paths (each tab's pages) and its restart with saved data. */
  localStack: boolean;
}

const USAGE = `npm run bench [-- [--quick] [--sizes 1k,10k,100k] [--latency 100] [--scim]]
  --quick        1k and 10k only
  --sizes LIST   comma-separated: 1k, 10k, 100k, 300k, 1m or user counts (default 1k,10k,100k)
  --full-only    only each size's full sync (no killed run, incremental runs or directory events)
  --no-events    without each size's directory-events rows
  --latency MS   simulated Graph latency per request (default 100)
  --live         only "change to visible": 100 changes with Graph change notifications, then polling
                 every minute (takes a little over a minute per size)
  --events       only the directory-events rows: full sync with events off and on, feed drain, webhooks
  --events-sync  only the full sync with events off and on (draining a large feed takes far longer)
  --local-stack  only the local stack (npm start) with a synced tenant: each tab's pages and the restart
  --sim-delta    only the simulator's time per page of a first /users/delta round (no latency added)
  --scim         only SCIM push: an Entra-shaped load provisions each size (default 10k: 10,000 users,
                 500 groups) through the SCIM endpoint, then checks nothing was lost or duplicated
  --scim-concurrency N  SCIM requests in flight (default 10)`;

export function parseArgs(argv: string[]): BenchArgs {
  let sizes: string[] | undefined;
  let latencyMs = 100;
  let live = false;
  let eventsOnly = false;
  let eventsSyncOnly = false;
  let scim = false;
  let scimConcurrency = 10;
  let fullOnly = false;
  let noEvents = false;
  let simDelta = false;
  let localStack = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes("=") ? (arg.split("=", 2) as [string, string]) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === "--quick") sizes = ["1k", "10k"];
    else if (flag === "--live") live = true;
    else if (flag === "--full-only") fullOnly = true;
    else if (flag === "--no-events") noEvents = true;
    else if (flag === "--sim-delta") simDelta = true;
    else if (flag === "--local-stack") localStack = true;
    else if (flag === "--scim") scim = true;
    else if (flag === "--scim-concurrency") {
      scimConcurrency = Number(value());
      if (!Number.isInteger(scimConcurrency) || scimConcurrency < 1)
        throw new Error("--scim-concurrency must be a whole number from 1");
    } else if (flag === "--events") eventsOnly = true;
    else if (flag === "--events-sync") {
      eventsOnly = true;
      eventsSyncOnly = true;
    } else if (flag === "--sizes") sizes = value().split(",").filter(Boolean);
    else if (flag === "--latency") {
      latencyMs = Number(value());
      if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error(`--latency must be a number of ms`);
    } else if (flag === "--help" || flag === "-h") throw new Error(USAGE);
    else throw new Error(`Unknown option ${arg}\n${USAGE}`);
  }
  const chosen = sizes ?? (scim ? ["10k"] : ["1k", "10k", "100k"]);
  return {
    sizes: chosen.map(parseSize),
    latencyMs,
    live,
    eventsOnly,
    eventsSyncOnly,
    fullOnly,
    noEvents,
    simDelta,
    localStack,
    scim,
    scimConcurrency,
  };
}
