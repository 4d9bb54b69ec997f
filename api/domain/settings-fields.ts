/**
 * The field names a connection's settings speak of, with no zod in them: the settings schema
 * (api/domain/sync-settings.ts) validates with these lists and the tab's settings form offers them, so both read
 * the one copy and the tab's bundle gets the names without the validator. The order is the order the
 * settings form and a profile's page show them in.
 */

/** Entra user properties kept under the same name in a profile (besides displayName, listed first). */
const SHARED_FIELDS = [
  "userPrincipalName",
  "jobTitle",
  "department",
  "companyName",
  "mobilePhone",
  "businessPhones",
  "faxNumber",
  "streetAddress",
  "city",
  "state",
  "postalCode",
  "country",
  "officeLocation",
  "employeeId",
  "preferredLanguage",
  "userType",
  "accountEnabled",
] as const;

/** Standard profile fields; anything else a mapping targets is a custom attribute and must be defined first. */
export const PROFILE_FIELDS = ["firstName", "lastName", "displayName", "email", ...SHARED_FIELDS] as const;

/** Entra user properties that may be mapped, besides extension attributes. */
export const ENTRA_USER_FIELDS = ["givenName", "surname", "displayName", "mail", ...SHARED_FIELDS] as const;

/** The fifteen on-premises extension attributes Entra ID syncs from Active Directory. */
export const EXTENSION_ATTRIBUTES = Array.from(
  { length: 15 },
  (_, i) => `onPremisesExtensionAttributes.extensionAttribute${i + 1}`,
);

/** Whether a mapping or rule may read this Entra property: a listed one or an extension attribute. */
export const isEntraUserSource = (v: string): boolean =>
  (ENTRA_USER_FIELDS as readonly string[]).includes(v) ||
  /^onPremisesExtensionAttributes\.extensionAttribute([1-9]|1[0-5])$/.test(v) ||
  /^extension_[0-9a-f]{32}_[A-Za-z0-9_]+$/.test(v);

export const ENTRA_SOURCE_RULE =
  "must be an Entra user property, onPremisesExtensionAttributes.extensionAttributeN or extension_{appId}_{name}";

/** Where a mapping writes: `field:<profile field>` or `attribute:<custom attribute name>`. */
export const MAPPING_TARGET = /^(field|attribute):([A-Za-z][A-Za-z0-9_]{0,63})$/;

/** A profile's email comes from the email fallback chain, never from a mapping (the API refuses one). */
export const EMAIL_TARGET = "field:email";

export const RULE_OPERATORS = ["equals", "notEquals", "startsWith", "isEmpty", "isNotEmpty"] as const;

export const DEFAULT_MAPPING: readonly { source: string; target: string }[] = [
  { source: "givenName", target: "field:firstName" },
  { source: "surname", target: "field:lastName" },
  { source: "displayName", target: "field:displayName" },
  { source: "userPrincipalName", target: "field:userPrincipalName" },
  { source: "jobTitle", target: "field:jobTitle" },
  { source: "department", target: "field:department" },
  { source: "companyName", target: "field:companyName" },
  { source: "mobilePhone", target: "field:mobilePhone" },
  { source: "businessPhones", target: "field:businessPhones" },
  { source: "officeLocation", target: "field:officeLocation" },
  { source: "city", target: "field:city" },
  { source: "country", target: "field:country" },
  { source: "preferredLanguage", target: "field:preferredLanguage" },
  { source: "userType", target: "field:userType" },
  { source: "accountEnabled", target: "field:accountEnabled" },
];

/** The fields a profile must have by default; a user missing one is skipped with the reason recorded. */
export const DEFAULT_REQUIRED = ["sourceId", "firstName", "lastName", "email"] as const;
