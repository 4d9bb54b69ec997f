import type { Rule, SyncSettings } from "../domain/sync-settings.ts";
import type { GraphUser } from "./graph-types.ts";
import { sourceValue } from "./mapping.ts";

export type ScopeVerdict = { inScope: true } | { inScope: false; reason: string };

const isGuest = (user: GraphUser): boolean =>
  user.userType === "Guest" || (user.userPrincipalName ?? "").includes("#EXT#");

/** Rooms, equipment and shared mailboxes are user objects with neither a first nor a last name. */
const isResourceAccount = (user: GraphUser): boolean => !user.givenName && !user.surname;

function ruleMatches(user: GraphUser, rule: Rule): boolean {
  const raw = sourceValue(user, rule.attribute);
  const value = Array.isArray(raw) ? raw.join(";") : raw === null ? "" : String(raw);
  const expected = rule.value.toLowerCase();
  switch (rule.operator) {
    case "equals":
      return value.toLowerCase() === expected;
    case "notEquals":
      return value.toLowerCase() !== expected;
    case "startsWith":
      return value.toLowerCase().startsWith(expected);
    case "isEmpty":
      return value === "";
    case "isNotEmpty":
      return value !== "";
  }
}

const describeRule = (r: Rule) =>
  `${r.attribute} ${r.operator}${r.operator === "isEmpty" || r.operator === "isNotEmpty" ? "" : ` "${r.value}"`}`;

/**
 * The client-side part of scope, applied to every user Graph returned: guests, resource accounts, disabled
 * accounts left out by choice, the email whitelist and the admin's rules. Each exclusion says why.
 */
export function userScopeVerdict(
  user: GraphUser,
  settings: SyncSettings,
  resolvedEmail: string | undefined,
  emailWhitelist: ReadonlySet<string> | undefined,
): ScopeVerdict {
  if (settings.users.guests === "exclude" && isGuest(user))
    return { inScope: false, reason: "guest account, and guests are excluded" };
  if (settings.users.excludeResourceAccounts && isResourceAccount(user))
    return { inScope: false, reason: "resource account (room or shared mailbox: no first or last name)" };
  if (settings.users.disabled === "exclude" && user.accountEnabled === false)
    return { inScope: false, reason: "account is disabled, and disabled accounts are left out" };
  if (emailWhitelist) {
    const candidates = [resolvedEmail, user.mail, user.userPrincipalName].flatMap((e) =>
      e ? [e.toLowerCase()] : [],
    );
    if (!candidates.some((e) => emailWhitelist.has(e)))
      return { inScope: false, reason: "email is not on the connection's user whitelist" };
  }
  for (const rule of settings.users.rules) {
    const matches = ruleMatches(user, rule);
    if (rule.effect === "include" && !matches)
      return { inScope: false, reason: `does not match the rule ${describeRule(rule)}` };
    if (rule.effect === "exclude" && matches)
      return { inScope: false, reason: `excluded by the rule ${describeRule(rule)}` };
  }
  return { inScope: true };
}
