import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { writeAudit } from "../audit/trail.ts";
import type { Actor } from "../domain/actor.ts";
import type { ApiKeyDoc, MachineScope } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { GUID_RE, TokenRejected } from "./token-validator.ts";

/** Every key starts so; the tenant and key id follow, so a key is found with one point read. */
export const API_KEY_PREFIX = "eds_";
const KEY_RE = /^eds_([0-9a-f]{32})_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
/** Last-used times are written at most this often per key: one write per request would double the cost. */
const LAST_USED_EVERY_MS = 60_000;

export interface NewApiKey {
  name: string;
  scopes: MachineScope[];
  expiresAt?: string;
}

export interface VerifiedKey {
  tenantId: string;
  keyId: string;
  name: string;
  scopes: MachineScope[];
}

const hashOf = (key: string) => createHash("sha256").update(key).digest("hex");
const compactTenant = (tenantId: string) => tenantId.replaceAll("-", "").toLowerCase();
const expandTenant = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** API keys of a tenant's applications: created by an admin, shown once, kept only as a hash. */
export class ApiKeys {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async create(tenantId: string, actor: Actor, input: NewApiKey): Promise<{ key: string; doc: ApiKeyDoc }> {
    const keyId = randomBytes(6).toString("hex");
    const key = `${API_KEY_PREFIX}${compactTenant(tenantId)}_${keyId}_${randomBytes(32).toString("base64url")}`;
    const doc = await this.store.apiKeys.create({
      id: keyId,
      tenantId,
      type: "apiKey",
      name: input.name,
      prefix: `${API_KEY_PREFIX}…_${keyId}`,
      hash: hashOf(key),
      scopes: input.scopes,
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
      createdAt: new Date(this.now()).toISOString(),
      createdBy: actor,
    });
    await writeAudit(
      this.store,
      {
        tenantId,
        actor,
        action: "api-key.created",
        target: { kind: "apiKey", id: keyId, name: input.name },
        changes: {
          scopes: { from: null, to: input.scopes },
          expiresAt: { from: null, to: input.expiresAt ?? null },
        },
      },
      this.now,
    );
    return { key, doc };
  }

  async revoke(tenantId: string, keyId: string, actor: Actor): Promise<ApiKeyDoc> {
    const at = new Date(this.now()).toISOString();
    let changed = false;
    const doc = await this.store.apiKeys.update(tenantId, keyId, (current) => {
      if (current.revokedAt) return undefined;
      changed = true;
      return { ...current, revokedAt: at, revokedBy: actor };
    });
    if (changed)
      await writeAudit(
        this.store,
        {
          tenantId,
          actor,
          action: "api-key.revoked",
          target: { kind: "apiKey", id: keyId, name: doc.name },
          changes: { revokedAt: { from: null, to: at } },
        },
        this.now,
      );
    return doc;
  }

  list(tenantId: string): Promise<ApiKeyDoc[]> {
    return this.store.apiKeys.all(tenantId, { orderBy: "c.createdAt DESC" });
  }

  /**
   * The key's tenant and scopes, or a refusal that says why. Read from the store on every call, so a
   * revocation takes effect at once, on every instance.
   */
  async verify(key: string): Promise<VerifiedKey> {
    const match = KEY_RE.exec(key);
    const refused = (why: string) => new TokenRejected("api-key-invalid", `The API key ${why}`);
    if (!match) throw refused("is not a key this product issued");
    const tenantId = expandTenant(match[1] as string);
    const keyId = match[2] as string;
    if (!GUID_RE.test(tenantId)) throw refused("is not a key this product issued");
    const doc = await this.store.apiKeys.get(tenantId, keyId);
    const expected = Buffer.from(doc?.hash ?? "0".repeat(64), "hex");
    if (!doc || !timingSafeEqual(expected, Buffer.from(hashOf(key), "hex")))
      throw refused("is not known; it may have been deleted or mistyped");
    if (doc.revokedAt) throw new TokenRejected("api-key-revoked", `The API key "${doc.name}" was revoked`);
    const now = this.now();
    if (doc.expiresAt && Date.parse(doc.expiresAt) <= now)
      throw new TokenRejected("api-key-expired", `The API key "${doc.name}" expired at ${doc.expiresAt}`);
    if (!doc.lastUsedAt || now - Date.parse(doc.lastUsedAt) > LAST_USED_EVERY_MS)
      await this.store.apiKeys
        .update(tenantId, keyId, (c) => ({ ...c, lastUsedAt: new Date(now).toISOString() }))
        .catch(() => undefined);
    return { tenantId, keyId, name: doc.name, scopes: doc.scopes };
  }
}
