import type { FieldValue } from "../domain/records.ts";
import type { Mapping, SyncSettings } from "../domain/sync-settings.ts";
import type { GraphUser } from "./graph-types.ts";

type EmailSource = "mail" | "proxyAddresses" | "otherMails" | "userPrincipalName";

export interface MappedUser {
  sourceId: string;
  displayName: string;
  fields: Record<string, FieldValue>;
  attributes: Record<string, FieldValue>;
  email?: string;
  emailSource?: EmailSource;
  upn?: string;
  enabled: boolean;
}

/** The email fallback chain: mail, then the primary SMTP proxy address, then otherMails, then the UPN. */
function resolveEmail(
  user: GraphUser,
  fallbacks: SyncSettings["email"],
): { email: string; source: EmailSource } | undefined {
  if (user.mail) return { email: user.mail, source: "mail" };
  if (fallbacks.proxyAddresses) {
    // "SMTP:" in capitals marks the primary address; "smtp:" are aliases.
    const primary = (user.proxyAddresses ?? []).find((a) => a.startsWith("SMTP:"));
    if (primary) return { email: primary.slice(5), source: "proxyAddresses" };
  }
  if (fallbacks.otherMails) {
    const other = (user.otherMails ?? []).find(Boolean);
    if (other) return { email: other, source: "otherMails" };
  }
  if (fallbacks.userPrincipalName && user.userPrincipalName && !user.userPrincipalName.includes("#EXT#"))
    return { email: user.userPrincipalName, source: "userPrincipalName" };
  return undefined;
}

/** Reads a mapped source property, including dotted onPremisesExtensionAttributes.extensionAttributeN. */
export function sourceValue(user: GraphUser, source: string): FieldValue {
  const [head, tail] = source.split(".", 2) as [string, string | undefined];
  const raw = (user as Record<string, unknown>)[head];
  const value = tail ? (raw as Record<string, unknown> | null | undefined)?.[tail] : raw;
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

/** Custom-attribute mappings whose attribute is not defined: reported and ignored, never silently dropped. */
export function undefinedAttributeMappings(mapping: Mapping[], defined: ReadonlySet<string>): Mapping[] {
  return mapping.filter((m) => m.target.startsWith("attribute:") && !defined.has(m.target.slice(10)));
}

export function mapUser(
  user: GraphUser,
  settings: SyncSettings,
  definedAttributes: ReadonlySet<string>,
): MappedUser {
  const fields: Record<string, FieldValue> = {};
  const attributes: Record<string, FieldValue> = {};
  for (const m of settings.mapping) {
    const [kind, name] = m.target.split(":") as ["field" | "attribute", string];
    const value = sourceValue(user, m.source);
    if (kind === "field") fields[name] = value;
    else if (definedAttributes.has(name)) attributes[name] = value;
  }
  const resolved = resolveEmail(user, settings.email);
  fields.email = resolved?.email ?? null;
  return {
    sourceId: user.id,
    displayName: user.displayName ?? user.userPrincipalName ?? user.id,
    fields,
    attributes,
    ...(resolved ? { email: resolved.email, emailSource: resolved.source } : {}),
    ...(user.userPrincipalName ? { upn: user.userPrincipalName } : {}),
    enabled: user.accountEnabled !== false,
  };
}

const REQUIRED_LABELS: Record<string, string> = {
  sourceId: "Entra object id",
  firstName: "first name (givenName)",
  lastName: "last name (surname)",
  email: "email (mail, proxyAddresses, otherMails or UPN as allowed by the email settings)",
};

/** The required fields a mapped user lacks, in words an admin recognises. */
export function missingRequired(user: MappedUser, required: readonly string[]): string[] {
  return required
    .filter((field) => {
      const value = field === "sourceId" ? user.sourceId : user.fields[field];
      return (
        value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)
      );
    })
    .map((field) => REQUIRED_LABELS[field] ?? field);
}

/** Graph properties to $select: only what mapping, scope rules and email resolution read. */
export function userSelect(settings: SyncSettings): string[] {
  const props = new Set(["id", "displayName", "userPrincipalName", "mail", "accountEnabled", "userType"]);
  props.add("givenName").add("surname");
  if (settings.email.proxyAddresses) props.add("proxyAddresses");
  if (settings.email.otherMails) props.add("otherMails");
  for (const m of settings.mapping) props.add(m.source.split(".")[0] as string);
  for (const r of settings.users.rules) props.add(r.attribute.split(".")[0] as string);
  return [...props].sort();
}
