import type { Request } from "express";
import type { Principal } from "../../auth/principal.ts";
import type { MachineScope } from "../../store/documents.ts";
import { principalOf } from "../principal.ts";
import { HttpProblem } from "../problem.ts";

/**
 * The Directory API's caller, allowed `scope`: an application whose key or app roles carry it, or a person
 * (readers may read, admins may also manage webhooks). The tenant is always the caller's own.
 */
export function requireScope(req: Request, scope: MachineScope): Principal {
  const p = principalOf(req);
  if (p.machine) {
    if (p.machine.scopes.includes(scope)) return p;
    throw new HttpProblem(403, {
      code: "scope-missing",
      message: `This ${p.via === "api-key" ? "API key" : "application"} lacks the ${scope} scope (it has: ${p.machine.scopes.join(", ") || "none"})`,
      remedy:
        p.via === "api-key"
          ? `Ask a Directory Sync admin for a key with the ${scope} scope.`
          : `Ask an admin to grant the application the app role for ${scope} (for example DirectorySync.Directory.Read) and admin-consent it.`,
    });
  }
  const allowed = scope === "webhooks:manage" ? p.isAdmin : p.canRead;
  if (allowed) return p;
  throw new HttpProblem(403, {
    code: scope === "webhooks:manage" ? "admin-required" : "reader-required",
    message: `${p.name} ${p.roleSource}`,
    remedy: "Ask an admin to assign you the DirectorySync.Reader or DirectorySync.Admin role.",
  });
}
