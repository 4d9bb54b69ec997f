import type { AttributeDefinition, Mapping, Schedule, SyncSettings } from "../api/types.ts";
import { describeProblems, isGuid, parseLines } from "./lines.ts";

/** Standard profile fields (api/domain/sync-settings.ts PROFILE_FIELDS). */
export const PROFILE_FIELDS = [
  "firstName",
  "lastName",
  "displayName",
  "email",
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

/** Entra user properties that may be mapped (api/domain/sync-settings.ts ENTRA_USER_FIELDS). */
export const ENTRA_USER_FIELDS = [
  "givenName",
  "surname",
  "displayName",
  "mail",
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

export const EXTENSION_ATTRIBUTES = Array.from(
  { length: 15 },
  (_, i) => `onPremisesExtensionAttributes.extensionAttribute${i + 1}`,
);

/** The profile's email comes from the email fallback chain, never from a mapping (the API refuses one). */
export const EMAIL_TARGET = "field:email";

/** The profile fields a mapping can write: every standard field but email. */
export const MAPPABLE_FIELDS = PROFILE_FIELDS.filter((f) => `field:${f}` !== EMAIL_TARGET);

export const DEFAULT_MAPPING: Mapping[] = [
  ["givenName", "firstName"],
  ["surname", "lastName"],
  ["displayName", "displayName"],
  ["userPrincipalName", "userPrincipalName"],
  ["jobTitle", "jobTitle"],
  ["department", "department"],
  ["companyName", "companyName"],
  ["mobilePhone", "mobilePhone"],
  ["businessPhones", "businessPhones"],
  ["officeLocation", "officeLocation"],
  ["city", "city"],
  ["country", "country"],
  ["preferredLanguage", "preferredLanguage"],
  ["userType", "userType"],
  ["accountEnabled", "accountEnabled"],
].map(([source, field]) => ({ source: source as string, target: `field:${field}` }));

export function defaultSettings(): SyncSettings {
  return {
    what: "users-and-lists",
    users: {
      scope: "all",
      groupIds: [],
      emails: [],
      administrativeUnitIds: [],
      filter: "",
      rules: [],
      guests: "exclude",
      excludeResourceAccounts: true,
      disabled: "inactive",
    },
    lists: { scope: "all", groupIds: [], namePrefix: "" },
    mirror: true,
    deletionGuard: { enabled: true, maxCount: 50, maxPercent: 10 },
    retentionDays: 30,
    updateOnly: false,
    mapping: DEFAULT_MAPPING.map((m) => ({ ...m })),
    email: { proxyAddresses: true, otherMails: true, userPrincipalName: false },
    required: ["sourceId", "firstName", "lastName", "email"],
    photos: false,
  };
}

export const defaultSchedule = (): Schedule => ({
  enabled: true,
  intervalMinutes: 60,
  fullEveryHours: 24,
  quiet: true,
});

/** Settings from the API with every missing part filled from the defaults (older connections). */
export function withDefaults(s: Partial<SyncSettings> | undefined): SyncSettings {
  const d = defaultSettings();
  if (!s) return d;
  return {
    ...d,
    ...s,
    users: { ...d.users, ...s.users },
    lists: { ...d.lists, ...s.lists },
    deletionGuard: { ...d.deletionGuard, ...s.deletionGuard },
    email: { ...d.email, ...s.email },
  };
}

/** The whitelists are edited as text, one value per line. */
export interface LineFields {
  emails: string;
  administrativeUnitIds: string;
  listGroupIds: string;
}

export type FieldErrors = Record<string, string>;

export const isValidSource = (v: string): boolean =>
  (ENTRA_USER_FIELDS as readonly string[]).includes(v) ||
  /^onPremisesExtensionAttributes\.extensionAttribute([1-9]|1[0-5])$/.test(v) ||
  /^extension_[0-9a-f]{32}_[A-Za-z0-9_]+$/.test(v);

export type TargetState = "field" | "defined" | "undefined" | "invalid";

/** Where a mapping writes: a standard field, a defined custom attribute, or one nobody defined yet. */
export function targetState(target: string, attributes: readonly AttributeDefinition[]): TargetState {
  const m = /^(field|attribute):([A-Za-z][A-Za-z0-9_]{0,63})$/.exec(target);
  if (!m) return "invalid";
  if (m[1] === "field")
    return (PROFILE_FIELDS as readonly string[]).includes(m[2] ?? "") ? "field" : "invalid";
  return attributes.some((a) => a.name === m[2]) ? "defined" : "undefined";
}

function intIn(v: number, min: number, max: number): boolean {
  return Number.isInteger(v) && v >= min && v <= max;
}

/**
 * The cheap checks of the API's schema, run before saving so most mistakes are explained next to their
 * field without a round trip. The API still validates everything; its field errors are shown the same way.
 */
export function validate(
  settings: SyncSettings,
  lines: LineFields,
  schedule: Schedule,
  name: string,
): {
  errors: FieldErrors;
  parsed: Pick<SyncSettings["users"], "emails" | "administrativeUnitIds"> & { listGroupIds: string[] };
} {
  const errors: FieldErrors = {};
  if (!name.trim()) errors.name = "Enter a name for this connection.";
  else if (name.trim().length > 100) errors.name = "Use at most 100 characters.";

  const u = settings.users;
  const emails = parseLines(lines.emails, "email", 10_000);
  const aus = parseLines(lines.administrativeUnitIds, "guid", 100);
  const listIds = parseLines(lines.listGroupIds, "guid", 5000);
  if (u.scope === "emails") {
    if (emails.problems.length) errors["users.emails"] = describeProblems(emails.problems);
    else if (!emails.values.length) errors["users.emails"] = "Enter at least one email.";
  }
  if (u.scope === "administrativeUnits") {
    if (aus.problems.length) errors["users.administrativeUnitIds"] = describeProblems(aus.problems);
    else if (!aus.values.length)
      errors["users.administrativeUnitIds"] = "Enter at least one administrative unit id.";
  }
  if (u.scope === "groups") {
    if (!u.groupIds.length) errors["users.groupIds"] = "Choose at least one group.";
    else if (u.groupIds.length > 500) errors["users.groupIds"] = "Choose at most 500 groups.";
    else if (u.groupIds.some((g) => !isGuid(g)))
      errors["users.groupIds"] = "Remove the entries that are not group ids.";
  }
  if (settings.lists.scope === "ids") {
    if (listIds.problems.length) errors["lists.groupIds"] = describeProblems(listIds.problems);
    else if (!listIds.values.length) errors["lists.groupIds"] = "Enter at least one group id.";
  }
  if (u.filter.length > 2000) errors["users.filter"] = "Use at most 2,000 characters.";
  if (settings.lists.namePrefix.length > 256) errors["lists.namePrefix"] = "Use at most 256 characters.";
  if (u.rules.length > 50) errors["users.rules"] = "Use at most 50 rules.";
  u.rules.forEach((r, i) => {
    if (!isValidSource(r.attribute.trim()))
      errors[`users.rules.${i}.attribute`] = "Choose an Entra user property.";
    if ((r.operator === "equals" || r.operator === "notEquals" || r.operator === "startsWith") && !r.value)
      errors[`users.rules.${i}.value`] = "Enter a value to compare with.";
    if (r.value.length > 256) errors[`users.rules.${i}.value`] = "Use at most 256 characters.";
  });

  const g = settings.deletionGuard;
  if (!intIn(g.maxCount, 0, 1_000_000))
    errors["deletionGuard.maxCount"] = "Enter a whole number from 0 to 1,000,000.";
  if (!(g.maxPercent >= 0 && g.maxPercent <= 100))
    errors["deletionGuard.maxPercent"] = "Enter a percentage from 0 to 100.";
  if (!intIn(settings.retentionDays, 0, 365))
    errors.retentionDays = "Enter a whole number of days from 0 to 365.";

  if (settings.mapping.length > 200) errors.mapping = "Use at most 200 mappings.";
  const seen = new Set<string>();
  settings.mapping.forEach((m, i) => {
    if (!isValidSource(m.source.trim()))
      errors[`mapping.${i}.source`] =
        "Use an Entra user property, onPremisesExtensionAttributes.extensionAttributeN or extension_{appId}_{name}.";
    const state = targetState(m.target, []);
    if (state === "invalid") errors[`mapping.${i}.target`] = "Choose a profile field or a custom attribute.";
    else if (m.target === EMAIL_TARGET)
      errors[`mapping.${i}.target`] =
        "Email is not mapped: it is the user's mail, then the fallbacks under Email address. Remove this row.";
    else if (seen.has(m.target)) errors[`mapping.${i}.target`] = "This target is already mapped above.";
    seen.add(m.target);
  });

  if (!intIn(schedule.intervalMinutes, 1, 10_080))
    errors["schedule.intervalMinutes"] = "Enter a whole number of minutes from 1 to 10,080 (a week).";
  if (!intIn(schedule.fullEveryHours, 1, 720))
    errors["schedule.fullEveryHours"] = "Enter a whole number of hours from 1 to 720.";

  return {
    errors,
    parsed: { emails: emails.values, administrativeUnitIds: aus.values, listGroupIds: listIds.values },
  };
}

/**
 * The API's field paths may be rooted at the request body (`settings.users.emails`) or at the settings;
 * the form keys errors at the settings, so drop the prefix.
 */
export function normalizeFieldErrors(fields: Record<string, string>): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, message] of Object.entries(fields)) out[path.replace(/^settings\./, "")] = message;
  return out;
}

/** The message for a field: its own, or the first one of anything inside it (`users.emails.3`). */
export function errorFor(errors: FieldErrors, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const child = Object.keys(errors).find((k) => k.startsWith(`${path}.`));
  return child ? errors[child] : undefined;
}
