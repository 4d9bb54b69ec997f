/** Counts Cosmos operations and request units, for the benchmark and for the per-task cost report. */
export class StoreMetrics {
  operations = 0;
  requestUnits = 0;

  record(requestCharge: number | undefined): void {
    this.operations += 1;
    this.requestUnits += requestCharge ?? 0;
  }

  snapshot(): { operations: number; requestUnits: number } {
    return { operations: this.operations, requestUnits: Math.round(this.requestUnits * 100) / 100 };
  }
}
