/** The slice of newman's Node API the SCIM tests use (newman ships no type declarations). */
declare module "newman" {
  interface Failure {
    error: { name: string; message: string; test?: string };
    source?: { name?: string };
  }
  interface Summary {
    run: {
      stats: Record<"requests" | "assertions", { total: number; failed: number }>;
      failures: Failure[];
    };
  }
  interface RunOptions {
    collection: unknown;
    envVar?: { key: string; value: string }[];
    reporters?: string[];
    timeoutRequest?: number;
  }
  const newman: { run(options: RunOptions, callback: (err: Error | null, summary: Summary) => void): void };
  export default newman;
}
