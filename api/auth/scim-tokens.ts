import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { writeAudit } from "../audit/trail.ts";
import { SCIM_TOKEN_PREFIX } from "../contract/scim.ts";
import type { Actor } from "../domain/actor.ts";
import type { ConnectionDoc, ScimTokenRecord } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { GUID_RE } from "./token-validator.ts";

/** The tenant and token id travel in the token, so a request is checked with one point read. */
const TOKEN_RE = /^edscim_([0-9a-f]{32})_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
const compactTenant = (tenantId: string) => tenantId.replaceAll("-", "").toLowerCase();
const expandTenant = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

export interface IssuedToken {
  token: string;
  tokenId: string;
  previousValidUntil: string | null;
  connection: ConnectionDoc;
}

/** Why a bearer token was refused, in words the SCIM error body carries. */
export class ScimTokenRefused extends Error {}

/**
 * The secret tokens of push (`scim`) connections: shown once, kept only as a hash, compared in constant
 * time. A rotation issues a new token and lets the previous ones work until the grace period ends, so the
 * admin can paste the new one into Entra without provisioning failing in between.
 */
export class ScimTokens {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Issues a token; the tokens issued before end after `graceMinutes` (if they have not ended already). */
  async issue(connection: ConnectionDoc, actor: Actor, graceMinutes = 0): Promise<IssuedToken> {
    if (connection.kind !== "scim") throw new ScimTokenRefused("only scim connections have SCIM tokens");
    const tokenId = randomBytes(6).toString("hex");
    const token = `${SCIM_TOKEN_PREFIX}${compactTenant(connection.tenantId)}_${tokenId}_${randomBytes(32).toString("base64url")}`;
    const at = new Date(this.now());
    const validUntil = new Date(at.getTime() + graceMinutes * 60_000).toISOString();
    let ended: string | null = null;
    const saved = await this.store.connections.update(connection.tenantId, connection.id, (current) => {
      const kept = (current.scimTokens ?? [])
        .filter((t) => !t.validUntil || Date.parse(t.validUntil) > at.getTime())
        .map((t) => (t.validUntil && t.validUntil < validUntil ? t : { ...t, validUntil }));
      ended = kept.length > 0 && graceMinutes > 0 ? validUntil : null;
      const record: ScimTokenRecord = {
        id: tokenId,
        hash: hashOf(token),
        hint: `${SCIM_TOKEN_PREFIX}…_${tokenId}`,
        createdAt: at.toISOString(),
        createdBy: actor,
      };
      return { ...current, scimTokens: [...kept.filter((t) => graceMinutes > 0 || !t.validUntil), record] };
    });
    const rotated = (connection.scimTokens ?? []).length > 0;
    await writeAudit(
      this.store,
      {
        tenantId: connection.tenantId,
        actor,
        action: rotated ? "scim-token.rotated" : "scim-token.issued",
        target: { kind: "connection", id: connection.id, name: connection.name },
        changes: {
          token: { from: rotated ? "[redacted]" : null, to: `${SCIM_TOKEN_PREFIX}…_${tokenId}` },
          ...(rotated ? { previousValidUntil: { from: null, to: ended ?? at.toISOString() } } : {}),
        },
      },
      this.now,
    );
    return { token, tokenId, previousValidUntil: ended, connection: saved };
  }

  /**
   * The connection a token opens, or a refusal. The token names its tenant; the URL names the connection;
   * both must agree with a stored hash that has not ended. Read on every request, so a rotation's end and a
   * deleted connection take effect at once on every instance.
   */
  async verify(token: string, connectionId: string): Promise<{ connection: ConnectionDoc; tokenId: string }> {
    const match = TOKEN_RE.exec(token);
    if (!match) throw new ScimTokenRefused("The bearer token is not a SCIM token this product issued.");
    const tenantId = expandTenant(match[1] as string);
    const tokenId = match[2] as string;
    if (!GUID_RE.test(tenantId) || !GUID_RE.test(connectionId))
      throw new ScimTokenRefused("The bearer token is not a SCIM token this product issued.");
    const connection = await this.store.connections.get(tenantId, connectionId);
    const record = connection?.scimTokens?.find((t) => t.id === tokenId);
    const expected = Buffer.from(record?.hash ?? "0".repeat(64), "hex");
    const matches = timingSafeEqual(expected, Buffer.from(hashOf(token), "hex"));
    if (connection?.type !== "connection" || !record || !matches)
      throw new ScimTokenRefused(
        "The bearer token does not open this tenant URL; it may have been rotated, mistyped or pasted for another connection.",
      );
    if (record.validUntil && Date.parse(record.validUntil) <= this.now())
      throw new ScimTokenRefused(
        `The bearer token was replaced and stopped working at ${record.validUntil}; paste the current token into Entra.`,
      );
    if (connection.status === "inactive")
      throw new ScimTokenRefused(
        `Connection "${connection.name}" is switched off; reactivate it to provision.`,
      );
    return { connection, tokenId };
  }
}
