/**
 * Serves the stand-ins (simulator + Cosmos server) from their own process, so the benchmark measures the
 * sync worker's memory and CPU alone, as in production where Graph and Cosmos run elsewhere.
 * Protocol: one "ready" message with the connection details, then {id, op} requests answered by id.
 */
import { type Standins, type StandinsSpec, startStandins } from "./standins.ts";

export type StandinsOp = "counts" | "lowerBound" | "changeOnePercent" | "usage" | "close";
export interface StandinsRequest {
  id: number;
  op: StandinsOp;
}
export type StandinsReply =
  | { type: "ready"; info: Standins["info"] }
  | { type: "reply"; id: number; value?: unknown; error?: string };

const send = (reply: StandinsReply, then?: () => void) => process.send?.(reply, undefined, {}, then);

if (process.send) {
  const spec = JSON.parse(process.argv[2] ?? "{}") as StandinsSpec;
  const standins = await startStandins(spec);
  let closed = false;
  // The benchmark went away without closing us: stop serving rather than linger.
  process.on("disconnect", () => {
    if (closed) return;
    closed = true;
    void standins.close().finally(() => process.exit(0));
  });
  process.on("message", async (request: StandinsRequest) => {
    try {
      if (request.op === "close") {
        closed = true;
        await standins.close();
        return send({ type: "reply", id: request.id }, () => process.exit(0));
      }
      const value = await standins[request.op]();
      send({ type: "reply", id: request.id, value });
    } catch (err) {
      send({ type: "reply", id: request.id, error: (err as Error).stack ?? String(err) });
    }
  });
  send({ type: "ready", info: standins.info });
}
