import type { OnPremisesExtensionAttributes, SimGroup, SimUser, UserInput } from "../types.ts";

function emptyExtensionAttributes(): OnPremisesExtensionAttributes {
  const attrs: Record<string, null> = {};
  for (let i = 1; i <= 15; i++) attrs[`extensionAttribute${i}`] = null;
  return attrs as unknown as OnPremisesExtensionAttributes;
}

/** A complete user from a partial one, defaulting what a cloud-only member account would have. */
export function makeUser(input: UserInput & { id: string; userPrincipalName: string }): SimUser {
  const mail = input.mail === undefined ? null : input.mail;
  return {
    id: input.id,
    displayName: input.displayName ?? null,
    givenName: input.givenName ?? null,
    surname: input.surname ?? null,
    mail,
    userPrincipalName: input.userPrincipalName,
    mailNickname: input.mailNickname ?? input.userPrincipalName.split("@")[0] ?? null,
    jobTitle: input.jobTitle ?? null,
    department: input.department ?? null,
    companyName: input.companyName ?? null,
    mobilePhone: input.mobilePhone ?? null,
    businessPhones: input.businessPhones ?? [],
    faxNumber: input.faxNumber ?? null,
    streetAddress: input.streetAddress ?? null,
    city: input.city ?? null,
    state: input.state ?? null,
    postalCode: input.postalCode ?? null,
    country: input.country ?? null,
    usageLocation: input.usageLocation ?? null,
    officeLocation: input.officeLocation ?? null,
    employeeId: input.employeeId ?? null,
    employeeType: input.employeeType ?? null,
    preferredLanguage: input.preferredLanguage ?? null,
    userType: input.userType ?? "Member",
    accountEnabled: input.accountEnabled ?? true,
    proxyAddresses: input.proxyAddresses ?? (mail ? [`SMTP:${mail}`] : []),
    otherMails: input.otherMails ?? [],
    onPremisesExtensionAttributes: { ...emptyExtensionAttributes(), ...input.onPremisesExtensionAttributes },
    onPremisesSyncEnabled: input.onPremisesSyncEnabled ?? null,
    creationType: input.creationType ?? null,
    createdDateTime: input.createdDateTime ?? "2024-01-15T09:00:00Z",
    extensions: input.extensions ?? {},
    hasPhoto: input.hasPhoto ?? false,
  };
}

export function makeGroup(input: Partial<SimGroup> & { id: string; displayName: string }): SimGroup {
  const unified = input.groupTypes?.includes("Unified") ?? false;
  const nickname = input.mailNickname ?? input.displayName.replace(/[^A-Za-z0-9]/g, "");
  const mail = input.mail === undefined ? null : input.mail;
  return {
    id: input.id,
    displayName: input.displayName,
    description: input.description ?? null,
    mail,
    mailEnabled: input.mailEnabled ?? mail !== null,
    mailNickname: nickname,
    securityEnabled: input.securityEnabled ?? !unified,
    groupTypes: input.groupTypes ?? [],
    visibility: input.visibility ?? (unified ? "Private" : null),
    createdDateTime: input.createdDateTime ?? "2024-01-10T08:00:00Z",
    proxyAddresses: input.proxyAddresses ?? (mail ? [`SMTP:${mail}`] : []),
    membershipRule: input.membershipRule ?? null,
    isAssignableToRole: input.isAssignableToRole ?? null,
  };
}
