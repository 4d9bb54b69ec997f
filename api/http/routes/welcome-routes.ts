import { Router } from "express";
import { connectionIdParam } from "../../contract/connections.ts";
import { type WelcomeTestResult, welcomeTestSchema } from "../../contract/welcome.ts";
import type { Store } from "../../store/store.ts";
import { SendFailure } from "../../welcome/senders.ts";
import type { WelcomeService } from "../../welcome/service.ts";
import { requireAdmin } from "../principal.ts";
import { HttpProblem, notFound } from "../problem.ts";
import { parseInput } from "../validate.ts";

/**
 * "Send a test to me": the notice as edited, filled with a real synced profile's values, sent to the admin
 * through the connection and channel it would use, so a missing permission or a wrong mailbox shows now.
 */
export function welcomeRoutes(store: Store, welcome: WelcomeService): Router {
  const router = Router();

  router.post("/connections/:id/welcome/test", async (req, res) => {
    const principal = requireAdmin(req);
    const { id } = parseInput(connectionIdParam, req.params, "path");
    const input = parseInput(welcomeTestSchema, req.body);
    const connection = await store.connections.get(principal.tenantId, id);
    if (!connection) throw notFound(`Connection ${id}`);
    const profile = input.profileId
      ? await store.profiles.get(principal.tenantId, input.profileId)
      : undefined;
    if (input.profileId && profile?.connectionId !== id) throw notFound(`Profile ${input.profileId}`);
    const to = {
      tenantId: principal.tenantId,
      sourceId: principal.oid,
      name: principal.name,
      ...(principal.upn ? { email: principal.upn } : {}),
    };
    try {
      const sent = await welcome.sendTest(connection, { ...input.welcome, enabled: true }, to, profile);
      res.json({
        to: input.welcome.channel === "email" ? (principal.upn ?? "") : `${principal.name} in Teams`,
        ...sent,
      } satisfies WelcomeTestResult);
    } catch (err) {
      if (!(err instanceof SendFailure)) throw err;
      throw new HttpProblem(502, {
        code: "welcome-test-failed",
        message: err.message,
        remedy: "Fix the cause above, then send the test again.",
      });
    }
  });

  return router;
}
