import { Router } from "express";

export interface DependencyCheck {
  name: string;
  check(): Promise<void>;
}

/** /healthz: the process is up. /readyz: every dependency answers, each reported by name. */
export function healthRoutes(checks: DependencyCheck[]): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        const started = Date.now();
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error("timed out after 5 s")), 5000).unref(),
            ),
          ]);
          return { name, status: "ok", ms: Date.now() - started };
        } catch (err) {
          return { name, status: "failing", error: (err as Error).message, ms: Date.now() - started };
        }
      }),
    );
    const ready = results.every((r) => r.status === "ok");
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not-ready", dependencies: results });
  });
  return router;
}
