import { writeAudit } from "../audit/trail.ts";
import type { CredentialProblem } from "../auth/token-errors.ts";
import { SYSTEM_ACTOR } from "../domain/actor.ts";
import type { Problem } from "../domain/problem.ts";
import type { EventBus } from "../events.ts";
import type { Logger } from "../logger.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

/**
 * Status transitions driven by what Entra ID says about a connection's credential. Each transition is
 * idempotent (the same cause twice raises one event) and written to the audit trail.
 */
export class ConnectionHealth {
  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The credential stopped working: needs-reauth with the exact cause, and one event saying who can fix it. */
  async credentialLost(connection: ConnectionDoc, problem: CredentialProblem): Promise<void> {
    const since = new Date(this.now()).toISOString();
    const statusProblem = { code: problem.reason, message: problem.message, remedy: problem.remedy, since };
    let changed = false;
    let before: ConnectionDoc | undefined;
    const updated = await this.store.connections.update(connection.tenantId, connection.id, (current) => {
      before = structuredClone(current);
      if (current.statusProblem?.code === problem.reason && current.status !== "active") return undefined;
      changed = true;
      // A deactivated connection stays off; it only remembers why it would need reauthorization.
      if (current.status !== "inactive") current.status = "needs-reauth";
      current.statusProblem = statusProblem;
      current.updatedAt = since;
      current.updatedBy = SYSTEM_ACTOR;
      return current;
    });
    if (!changed) return;
    await writeAudit(
      this.store,
      {
        tenantId: connection.tenantId,
        actor: SYSTEM_ACTOR,
        action: "connection.needs-reauth",
        target: { kind: "connection", id: connection.id, name: connection.name },
        changes: {
          status: { from: before?.status ?? null, to: updated.status },
          statusProblem: { from: before?.statusProblem?.code ?? null, to: problem.reason },
        },
      },
      this.now,
    );
    if (updated.status === "inactive") return;
    this.logger.warn(
      { tenantId: connection.tenantId, connectionId: connection.id, cause: problem.reason },
      "connection needs reauthorization",
    );
    await this.events.emit({
      tenantId: connection.tenantId,
      kind: "needs-reauth",
      connectionId: connection.id,
      problem: { code: problem.reason, message: problem.message, remedy: problem.remedy },
      summary: `${problem.message} Who can fix it: ${problem.fixer}.`,
    });
  }

  /** The credential works again (new secret, new consent): back to active unless deactivated. */
  async credentialWorks(connection: ConnectionDoc): Promise<ConnectionDoc> {
    let changed = false;
    const updated = await this.store.connections.update(connection.tenantId, connection.id, (current) => {
      if (!current.statusProblem && current.status !== "needs-reauth") return undefined;
      if (current.statusProblem?.code === "authorization-pending" && !current.secret) return undefined;
      changed = true;
      if (current.status === "needs-reauth" || current.status === "error") current.status = "active";
      delete current.statusProblem;
      current.updatedAt = new Date(this.now()).toISOString();
      return current;
    });
    if (changed)
      await writeAudit(
        this.store,
        {
          tenantId: connection.tenantId,
          actor: SYSTEM_ACTOR,
          action: "connection.recovered",
          target: { kind: "connection", id: connection.id, name: connection.name },
          changes: { status: { from: connection.status, to: updated.status } },
        },
        this.now,
      );
    return updated;
  }

  /** Sets or clears the early warning about the consenting admin; raises admin-warning when it appears. */
  async setWarning(connection: ConnectionDoc, warning: Problem | undefined): Promise<void> {
    let raised = false;
    await this.store.connections.update(connection.tenantId, connection.id, (current) => {
      const checkedAt = new Date(this.now()).toISOString();
      const sameWarning = current.warning?.code === warning?.code;
      current.adminCheck = { checkedAt, ok: !warning };
      if (!sameWarning) {
        if (warning) {
          current.warning = { ...warning, since: checkedAt };
          raised = true;
        } else delete current.warning;
      }
      return current;
    });
    if (raised && warning)
      await this.events.emit({
        tenantId: connection.tenantId,
        kind: "admin-warning",
        connectionId: connection.id,
        problem: warning,
        summary: `Connection "${connection.name}": ${warning.message} ${warning.remedy}`,
      });
  }
}
