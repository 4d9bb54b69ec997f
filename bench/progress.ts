import type { Store } from "../api/store/store.ts";
import { formatDuration, formatMb } from "./format.ts";

export interface PhaseTime {
  phase: string;
  ms: number;
  /** Peak RSS of this process while the phase ran (sampled with each poll): where memory goes. */
  peakRssBytes?: number;
}

const POLL_MS = 250;
const QUIET_LINE_EVERY_MS = 10_000;

/**
 * Polls a running task's document and shows its phase and processed/total: one line per phase, rewritten
 * in place on a terminal (a new line every 10 s otherwise, so logs stay short). Also times each phase.
 */
export function watchTask(
  observer: Store,
  tenantId: string,
  taskId: string,
  label: string,
  out: NodeJS.WriteStream | undefined,
): { stop(): Promise<PhaseTime[]> } {
  const started = Date.now();
  const phases: PhaseTime[] = [];
  let phase = "";
  let phaseStart = started;
  let phasePeak = 0;
  let lastLine = 0;
  let inPlace = false;
  let line = "";
  const tty = Boolean(out?.isTTY);

  const show = (text: string, newPhase: boolean) => {
    if (!out) return;
    if (tty) {
      if (newPhase && inPlace) out.write("\n");
      out.write(`\r${text.padEnd(line.length)}`);
      inPlace = true;
    } else if (newPhase || Date.now() - lastLine >= QUIET_LINE_EVERY_MS) {
      out.write(`${text}\n`);
      lastLine = Date.now();
    }
    line = text;
  };

  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      const rss = process.memoryUsage().rss;
      phasePeak = Math.max(phasePeak, rss);
      const task = await observer.tasks.get(tenantId, taskId);
      if (!task) return;
      const { processed, total } = task.progress;
      const now = Date.now();
      const changed = task.progress.phase !== phase;
      if (changed) {
        if (phase) phases.push({ phase, ms: now - phaseStart, peakRssBytes: phasePeak });
        phase = task.progress.phase;
        phaseStart = now;
        phasePeak = rss;
      }
      const count = total
        ? `${fmt(processed)}/${fmt(total)} (${Math.min(100, Math.floor((processed * 100) / total))}%)`
        : fmt(processed);
      show(
        `  [${label}] ${phase}: ${count}, ${formatDuration(now - started)}, RSS ${formatMb(rss)}`,
        changed,
      );
    } catch {
      // A missed poll only delays the progress line.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), POLL_MS);
  void poll();

  return {
    async stop() {
      clearInterval(timer);
      while (busy) await new Promise((r) => setTimeout(r, 10));
      await poll();
      if (phase) phases.push({ phase, ms: Date.now() - phaseStart, peakRssBytes: phasePeak });
      if (tty && inPlace && out) out.write("\n");
      return phases;
    },
  };
}

const fmt = (n: number) => n.toLocaleString("en-US");
