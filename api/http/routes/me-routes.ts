import { Router } from "express";
import type { Me } from "../../contract/me.ts";
import { sessionOf } from "../authenticate.ts";
import { principalOf } from "../principal.ts";

/** GET /api/me: who the API thinks the caller is, and the CSRF token for cookie sessions. */
export function meRoutes(): Router {
  const router = Router();
  router.get("/me", (req, res) => {
    const p = principalOf(req);
    const session = sessionOf(req);
    res.set("Cache-Control", "no-store").json({
      tenantId: p.tenantId,
      oid: p.oid,
      name: p.name,
      upn: p.upn ?? null,
      isAdmin: p.isAdmin,
      canRead: p.canRead,
      roleSource: p.roleSource,
      via: p.via,
      ...(session ? { csrfToken: session.csrf } : {}),
    } satisfies Me);
  });
  return router;
}
