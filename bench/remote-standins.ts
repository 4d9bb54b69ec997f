import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Standins, StandinsSpec } from "./standins.ts";
import type { StandinsOp, StandinsReply } from "./standins-child.ts";

const CHILD = fileURLToPath(new URL("./standins-child.ts", import.meta.url));
/**
 * The stand-ins hold the whole tenant and every document the sync writes (about 4.5 GB at 300k users),
 * past Node's default heap limit; the sync worker keeps the default, as in production.
 */
const STANDINS_HEAP_MB = 16_384;

/** Starts the stand-ins in a child process (same loader flags as this one) and talks to them over IPC. */
export async function startRemoteStandins(spec: StandinsSpec): Promise<Standins> {
  const child = fork(CHILD, [JSON.stringify(spec)], {
    execArgv: [...process.execArgv, `--max-old-space-size=${STANDINS_HEAP_MB}`],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const kill = () => child.kill();
  process.once("exit", kill);
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let exited: Error | undefined;
  let nextId = 0;

  const info = await new Promise<Standins["info"]>((resolve, reject) => {
    child.on("message", (message: StandinsReply) => {
      if (message.type === "ready") return resolve(message.info);
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) call?.reject(new Error(`stand-ins: ${message.error}`));
      else call?.resolve(message.value);
    });
    child.once("exit", (code, signal) => {
      exited = new Error(`the stand-ins process exited (${signal ?? `code ${code}`})`);
      process.off("exit", kill);
      reject(exited);
      for (const call of pending.values()) call.reject(exited);
      pending.clear();
    });
  });

  const call = <T>(op: StandinsOp) =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(exited);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op });
    });

  return {
    info,
    counts: () => call("counts"),
    lowerBound: () => call("lowerBound"),
    changeOnePercent: () => call("changeOnePercent"),
    usage: () => call("usage"),
    close: async () => {
      if (exited) return;
      await call("close");
      await exitOf(child);
    },
  };
}

const exitOf = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
