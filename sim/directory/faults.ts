import type { FaultSpec } from "../types.ts";

interface ArmedFault extends FaultSpec {
  regex: RegExp;
  passed: number;
  fired: number;
}

/** Scripted failures, so tests can fail the 3rd page of a listing or start a 429 storm. */
export class FaultTable {
  private faults: ArmedFault[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, regex: new RegExp(spec.pathPattern), passed: 0, fired: 0 });
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultSpec[] {
    return this.faults.map(({ regex: _r, passed: _p, fired: _f, ...spec }) => spec);
  }

  /** The fault this request triggers, if any; consumes one of its `times`. */
  take(method: string, pathWithQuery: string): FaultSpec | undefined {
    for (const f of this.faults) {
      if (f.method && f.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!f.regex.test(pathWithQuery)) continue;
      if (f.passed < (f.after ?? 0)) {
        f.passed++;
        continue;
      }
      f.fired++;
      if (f.fired >= f.times) this.faults = this.faults.filter((x) => x !== f);
      return f;
    }
    return undefined;
  }
}
