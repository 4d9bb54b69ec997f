import type { GraphApi } from "../graph/client.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { profileId } from "./profiles.ts";

export interface PersonHit {
  id: string;
  displayName: string;
  mail: string | null;
  userPrincipalName: string;
  jobTitle: string | null;
  /** The synced profile of this person, when there is one. */
  profileId?: string;
}

const MAX_HITS = 15;

/**
 * People whose name, first name, last name, email or UPN starts with what was typed, read from Entra ID
 * with the tenant's active connection (the people "why" asks about are often the ones the sync left out,
 * so the synced directory alone cannot answer). Several words match a display name as typed ("Adele Va").
 */
export async function findPeople(
  store: Store,
  tenantId: string,
  typed: string,
  graphFor: (c: ConnectionDoc) => Promise<GraphApi>,
): Promise<{ items: PersonHit[]; connectionName?: string }> {
  const connection = (await store.connections.all(tenantId)).find(
    (c) => c.status === "active" && c.kind !== "scim",
  );
  if (!connection) return { items: [] };
  const q = typed.replace(/'/g, "''");
  const filter = ["displayName", "givenName", "surname", "mail", "userPrincipalName"]
    .map((p) => `startswith(${p},'${q}')`)
    .join(" or ");
  const graph = await graphFor(connection);
  const found = await graph.get<{ value?: Omit<PersonHit, "profileId">[] }>(
    `/users?$select=id,displayName,mail,userPrincipalName,jobTitle&$top=${MAX_HITS}&$filter=${encodeURIComponent(filter)}`,
  );
  const people = (found.value ?? []).slice(0, MAX_HITS);
  const synced = await store.profiles.all(tenantId, {
    where: "ARRAY_CONTAINS(@ids, c.sourceId) AND c.status != 'deleted'",
    parameters: [{ name: "@ids", value: people.map((p) => p.id) }],
    select: "c.id, c.sourceId, c.connectionId",
  });
  const profileOf = new Map(synced.map((p) => [p.sourceId, p.id]));
  return {
    connectionName: connection.name,
    items: people
      .map((p) => ({
        id: p.id,
        displayName: p.displayName,
        mail: p.mail ?? null,
        userPrincipalName: p.userPrincipalName,
        jobTitle: p.jobTitle ?? null,
        ...(profileOf.has(p.id) ? { profileId: profileOf.get(p.id) ?? profileId(connection.id, p.id) } : {}),
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName)),
  };
}
