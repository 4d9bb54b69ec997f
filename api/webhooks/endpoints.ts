import { randomBytes, randomUUID } from "node:crypto";
import { writeAudit } from "../audit/trail.ts";
import type { SecretBox } from "../auth/secrets.ts";
import type { Actor } from "../domain/actor.ts";
import type { DirectoryEventType } from "../domain/event-types.ts";
import type { ChangeFeed } from "../feed/change-feed.ts";
import type { WebhookEndpointDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

/** How long the previous signing secret still signs after a rotation, so receivers can switch over. */
const ROTATION_GRACE_MS = 24 * 3600_000;

export interface EndpointInput {
  url: string;
  description?: string;
  eventTypes?: DirectoryEventType[];
}

export class WebhookUrlRefused extends Error {}

const secretContext = (tenantId: string, endpointId: string) => `webhook:${tenantId}:${endpointId}`;
const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/**
 * Webhook endpoints of a tenant. Signing secrets are sealed like connection secrets (envelope encryption)
 * because the product must sign with them; each is shown once, when created or rotated.
 */
export class WebhookEndpoints {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly feed: ChangeFeed,
    private readonly options: { allowPrivate: boolean; now?: () => number },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Production accepts only https; plain http is part of the local-development allowance. */
  checkUrl(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new WebhookUrlRefused("is not a URL");
    }
    if (parsed.username || parsed.password)
      throw new WebhookUrlRefused("must not carry a user name or password");
    if (parsed.protocol !== "https:" && !(this.options.allowPrivate && parsed.protocol === "http:"))
      throw new WebhookUrlRefused("must be an https URL");
  }

  async create(
    tenantId: string,
    actor: Actor,
    input: EndpointInput,
  ): Promise<{ doc: WebhookEndpointDoc; secret: string }> {
    this.checkUrl(input.url);
    const id = randomUUID();
    const secret = newSecret();
    const at = new Date(this.now()).toISOString();
    // New endpoints start at the feed's present: they receive changes from now on, not the history.
    const cursor = await this.feed.horizon(tenantId);
    const doc = await this.store.webhookEndpoints.create({
      id,
      tenantId,
      type: "webhookEndpoint",
      url: input.url,
      description: input.description ?? "",
      eventTypes: input.eventTypes ?? [],
      secrets: [{ sealed: await this.secrets.seal(secret, secretContext(tenantId, id)), createdAt: at }],
      status: "enabled",
      cursor,
      createdAt: at,
      createdBy: actor,
      updatedAt: at,
    });
    await this.audit(tenantId, actor, "webhook.created", doc, { url: { from: null, to: input.url } });
    return { doc, secret };
  }

  async update(
    tenantId: string,
    id: string,
    actor: Actor,
    patch: Partial<EndpointInput> & { enabled?: boolean },
  ): Promise<WebhookEndpointDoc> {
    if (patch.url) this.checkUrl(patch.url);
    const before = await this.store.webhookEndpoints.require(tenantId, id);
    const doc = await this.store.webhookEndpoints.update(tenantId, id, (c) => {
      const { disabled: _cleared, failingSince: _reset, ...rest } = c;
      const enable = patch.enabled === true;
      return {
        ...(enable ? rest : c),
        ...(patch.url ? { url: patch.url } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.eventTypes ? { eventTypes: patch.eventTypes } : {}),
        ...(patch.enabled !== undefined ? { status: patch.enabled ? "enabled" : "disabled" } : {}),
        updatedAt: new Date(this.now()).toISOString(),
      } as WebhookEndpointDoc;
    });
    await this.audit(tenantId, actor, "webhook.updated", doc, {
      ...(patch.url ? { url: { from: before.url, to: patch.url } } : {}),
      ...(patch.eventTypes ? { eventTypes: { from: before.eventTypes, to: patch.eventTypes } } : {}),
      ...(patch.enabled !== undefined ? { status: { from: before.status, to: doc.status } } : {}),
    });
    return doc;
  }

  /** A new secret signs from now on; the previous one keeps signing too until the grace period ends. */
  async rotateSecret(
    tenantId: string,
    id: string,
    actor: Actor,
  ): Promise<{ doc: WebhookEndpointDoc; secret: string }> {
    const secret = newSecret();
    const sealed = await this.secrets.seal(secret, secretContext(tenantId, id));
    const now = this.now();
    const doc = await this.store.webhookEndpoints.update(tenantId, id, (c) => ({
      ...c,
      secrets: [
        { sealed, createdAt: new Date(now).toISOString() },
        ...(c.secrets[0]
          ? [{ ...c.secrets[0], expiresAt: new Date(now + ROTATION_GRACE_MS).toISOString() }]
          : []),
      ],
      updatedAt: new Date(now).toISOString(),
    }));
    await this.audit(tenantId, actor, "webhook.secret-rotated", doc, {
      secret: { from: "[redacted]", to: "[redacted]" },
    });
    return { doc, secret };
  }

  async remove(tenantId: string, id: string, actor: Actor): Promise<void> {
    const doc = await this.store.webhookEndpoints.require(tenantId, id);
    await this.store.webhookEndpoints.delete(tenantId, id);
    await this.audit(tenantId, actor, "webhook.deleted", doc, { url: { from: doc.url, to: null } });
  }

  /** The secrets that sign now: the newest, and the previous one while its grace period lasts. */
  async signingSecrets(doc: WebhookEndpointDoc): Promise<string[]> {
    const live = doc.secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > this.now());
    return Promise.all(live.map((s) => this.secrets.open(s.sealed, secretContext(doc.tenantId, doc.id))));
  }

  private async audit(
    tenantId: string,
    actor: Actor,
    action: string,
    doc: WebhookEndpointDoc,
    changes: Record<string, { from: unknown; to: unknown }>,
  ) {
    await writeAudit(
      this.store,
      { tenantId, actor, action, target: { kind: "webhookEndpoint", id: doc.id, name: doc.url }, changes },
      () => this.now(),
    );
  }
}
