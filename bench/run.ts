/**
 * `npm run bench`: for each tenant size, a full sync, a full sync whose worker is killed and resumed by
 * another, an unchanged incremental run and an incremental run after 1% of the tenant changed, against
 * the simulator with Graph-like latency and throttling. Prints a table per size and a verdict per target
 * of issue 7, and saves the results as JSON. Exits non-zero only when the benchmark itself crashes, never
 * for a missed target.
 */
import { spawn } from "node:child_process";
import { ensureLocalCertificate } from "../sim/tls.ts";
import { parseArgs } from "./args.ts";
import { benchSize, type SizeResult } from "./bench.ts";
import { benchEvents, formatEvents } from "./events.ts";
import { benchLatency, formatLatency } from "./live-latency.ts";
import { benchLocalStack, formatLocalStack } from "./local-stack.ts";
import { startRemoteStandins } from "./remote-standins.ts";
import { formatSize, formatVerdicts, verdicts } from "./report.ts";
import { saveResults } from "./results.ts";
import { benchScim, formatScim } from "./scim.ts";
import { benchSimDelta, formatSimDelta, type SimDeltaResult } from "./sim-delta.ts";

const tls = await ensureLocalCertificate(".local/tls");
if (process.env.NODE_EXTRA_CA_CERTS !== tls.certPath) {
  // Node reads extra CA certificates only at start-up: run again with the local certificate trusted.
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.certPath },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
  if (args.live) {
    for (const size of args.sizes) {
      console.error(`\n${size.name}: generating the tenant and starting the stand-ins`);
      const result = await benchLatency(size, { latencyMs: args.latencyMs, progress: process.stderr });
      console.log(`\n${formatLatency(result)}`);
    }
    return 0;
  }
  if (args.localStack) {
    for (const size of args.sizes) {
      console.error(`\n${size.name}: generating the tenant and starting the local stack`);
      console.log(`\n${formatLocalStack(await benchLocalStack(size, { progress: process.stderr }))}`);
    }
    return 0;
  }
  if (args.simDelta) {
    const rows: SimDeltaResult[] = [];
    for (const size of args.sizes) {
      console.error(`\n${size.name}: generating the tenant and reading a first delta round`);
      rows.push(await benchSimDelta(size));
    }
    console.log(`\n${formatSimDelta(rows)}`);
    return 0;
  }
  if (args.scim) {
    for (const size of args.sizes) {
      console.error(`\n${size.name}: starting the API and a SCIM connection`);
      const result = await benchScim(size, { concurrency: args.scimConcurrency, progress: process.stderr });
      console.log(`\n${formatScim(result)}`);
    }
    return 0;
  }
  if (args.eventsOnly) {
    for (const size of args.sizes) {
      console.error(`\n${size.name}: generating the tenant and starting the stand-ins`);
      const events = await benchEvents(size, {
        latencyMs: args.latencyMs,
        startStandins: startRemoteStandins,
        progress: process.stderr,
        syncOnly: args.eventsSyncOnly,
      });
      console.log(`\n${formatEvents(size.name, events)}`);
    }
    return 0;
  }
  const startedAt = new Date();
  const results: SizeResult[] = [];
  for (const size of args.sizes) {
    console.error(`\n${size.name}: generating the tenant and starting the stand-ins`);
    const result = await benchSize(size, {
      latencyMs: args.latencyMs,
      startStandins: startRemoteStandins,
      progress: process.stderr,
      fullOnly: args.fullOnly,
    });
    results.push(result);
    console.log(`\n${formatSize(result)}`);
    if (args.fullOnly || args.noEvents) continue;
    const events = await benchEvents(size, {
      latencyMs: args.latencyMs,
      startStandins: startRemoteStandins,
      progress: process.stderr,
    });
    result.events = events;
    console.log(`\n${formatEvents(size.name, events)}`);
  }
  const judged = verdicts(results);
  console.log(
    `\nTargets (issue 7), ${new Date().toISOString().slice(0, 10)}, ${args.latencyMs} ms Graph latency:`,
  );
  console.log(formatVerdicts(judged));
  const file = saveResults(startedAt, argv, results, judged);
  console.log(`\nResults: ${file}`);
  return 0;
}
