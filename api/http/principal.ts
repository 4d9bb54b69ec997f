import type { Request } from "express";
import type { Principal } from "../auth/principal.ts";
import { HttpProblem } from "./problem.ts";

const PRINCIPAL = Symbol("principal");

export function setPrincipal(req: Request, principal: Principal): void {
  (req as unknown as Record<symbol, Principal>)[PRINCIPAL] = principal;
}

export function principalOf(req: Request): Principal {
  const principal = (req as unknown as Record<symbol, Principal | undefined>)[PRINCIPAL];
  if (!principal)
    throw new HttpProblem(401, {
      code: "unauthenticated",
      message: "You are not signed in",
      remedy: "Sign in again (inside Teams, reload the tab).",
    });
  return principal;
}

export function requireAdmin(req: Request): Principal {
  const principal = principalOf(req);
  if (!principal.isAdmin)
    throw new HttpProblem(403, {
      code: "admin-required",
      message: `Only directory sync admins can do this; ${principal.name} ${principal.roleSource}`,
      remedy: "Ask an admin to assign you the DirectorySync.Admin role, or to do it for you.",
    });
  return principal;
}

export function requireReader(req: Request): Principal {
  const principal = principalOf(req);
  if (!principal.canRead)
    throw new HttpProblem(403, {
      code: "reader-required",
      message: `You have no access to directory sync; ${principal.name} ${principal.roleSource}`,
      remedy: "Ask an admin to assign you the DirectorySync.Reader or DirectorySync.Admin role.",
    });
  return principal;
}
