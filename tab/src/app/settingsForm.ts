import {
  DEFAULT_MAPPING,
  DEFAULT_REQUIRED,
  EMAIL_TARGET,
  ENTRA_USER_FIELDS,
  EXTENSION_ATTRIBUTES,
  isEntraUserSource,
  MAPPING_TARGET,
  PROFILE_FIELDS,
} from "../../../api/domain/settings-fields.ts";
import {
  DEFAULT_WELCOME_BODY,
  DEFAULT_WELCOME_SUBJECT,
  templateProblem,
} from "../../../api/domain/welcome-template.ts";
import type { AttributeDefinition, Schedule, SyncSettings } from "../api/types.ts";
import { describeProblems, isGuid, parseLines } from "./lines.ts";

/** The settings' field lists are the API's own (the contract's); the form offers and checks against them. */
export { DEFAULT_MAPPING, ENTRA_USER_FIELDS, EXTENSION_ATTRIBUTES, PROFILE_FIELDS };

/** The profile fields a mapping can write: every standard field but email. */
export const MAPPABLE_FIELDS = PROFILE_FIELDS.filter((f) => `field:${f}` !== EMAIL_TARGET);

/** What the "required" checkboxes offer: the Entra object id and every standard field. */
export type RequiredField = SyncSettings["required"][number];
export const REQUIRABLE_FIELDS: readonly RequiredField[] = ["sourceId", ...PROFILE_FIELDS];

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
    required: [...DEFAULT_REQUIRED],
    photos: false,
    welcome: {
      enabled: false,
      channel: "email",
      mailbox: "",
      existingPeople: "skip",
      guests: "skip",
      appLink: "",
      subject: DEFAULT_WELCOME_SUBJECT,
      body: DEFAULT_WELCOME_BODY,
    },
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
    welcome: { ...d.welcome, ...s.welcome },
  };
}

/** The whitelists are edited as text, one value per line. */
export interface LineFields {
  emails: string;
  administrativeUnitIds: string;
  listGroupIds: string;
}

export type FieldErrors = Record<string, string>;

export type TargetState = "field" | "defined" | "undefined" | "invalid";

/** Where a mapping writes: a standard field, a defined custom attribute, or one nobody defined yet. */
export function targetState(
  target: string,
  attributes: readonly Pick<AttributeDefinition, "name">[],
): TargetState {
  const m = MAPPING_TARGET.exec(target);
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
    if (!isEntraUserSource(r.attribute.trim()))
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
    if (!isEntraUserSource(m.source.trim()))
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

  const w = settings.welcome;
  for (const part of ["subject", "body"] as const) {
    const problem = w[part].trim() ? templateProblem(w[part]) : `Enter the notice's ${part}.`;
    if (problem) errors[`welcome.${part}`] = problem;
  }
  if (w.enabled && w.channel === "email" && !w.mailbox.trim())
    errors["welcome.mailbox"] = "Name the mailbox email notices are sent from.";

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
