import { SimError } from "../errors.ts";
import type { SimGroup, SimUser } from "../types.ts";

export const DEFAULT_USER_PROPS = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
];

/** Graph returns every group property by default (unlike users), nulls included. */
export const DEFAULT_GROUP_PROPS = [
  "id",
  "deletedDateTime",
  "classification",
  "createdDateTime",
  "creationOptions",
  "description",
  "displayName",
  "expirationDateTime",
  "groupTypes",
  "isAssignableToRole",
  "mail",
  "mailEnabled",
  "mailNickname",
  "membershipRule",
  "membershipRuleProcessingState",
  "onPremisesDomainName",
  "onPremisesLastSyncDateTime",
  "onPremisesNetBiosName",
  "onPremisesSamAccountName",
  "onPremisesSecurityIdentifier",
  "onPremisesSyncEnabled",
  "preferredDataLocation",
  "preferredLanguage",
  "proxyAddresses",
  "renewedDateTime",
  "resourceBehaviorOptions",
  "resourceProvisioningOptions",
  "securityEnabled",
  "securityIdentifier",
  "theme",
  "visibility",
  "onPremisesProvisioningErrors",
  "serviceProvisioningErrors",
];

/** The full Graph representation of a user, from which $select projects. */
export function userDocument(u: SimUser, tenantDomain: string): Record<string, unknown> {
  const { extensions, hasPhoto: _p, photoVersion: _v, ...plain } = u;
  return {
    ...plain,
    deletedDateTime: null,
    ageGroup: null,
    consentProvidedForMinor: null,
    legalAgeGroupClassification: null,
    externalUserState: u.userType === "Guest" ? "Accepted" : null,
    externalUserStateChangeDateTime: null,
    employeeHireDate: null,
    employeeOrgData: null,
    imAddresses: u.mail ? [u.mail] : [],
    isResourceAccount: null,
    onPremisesDistinguishedName: null,
    onPremisesDomainName: null,
    onPremisesImmutableId: null,
    onPremisesLastSyncDateTime: null,
    onPremisesSamAccountName: null,
    onPremisesSecurityIdentifier: null,
    onPremisesUserPrincipalName: null,
    passwordPolicies: null,
    showInAddressList: null,
    securityIdentifier: `S-1-12-1-${u.id.replaceAll("-", "").slice(0, 8)}`,
    signInSessionsValidFromDateTime: u.createdDateTime,
    identities: [
      { signInType: "userPrincipalName", issuer: tenantDomain, issuerAssignedId: u.userPrincipalName },
    ],
    assignedLicenses: [],
    ...extensions,
  };
}

export function groupDocument(g: SimGroup): Record<string, unknown> {
  return {
    ...g,
    deletedDateTime: null,
    classification: null,
    creationOptions: g.groupTypes.includes("Unified") ? ["YammerProvisioning"] : [],
    expirationDateTime: null,
    membershipRuleProcessingState: g.membershipRule ? "On" : null,
    onPremisesDomainName: null,
    onPremisesLastSyncDateTime: null,
    onPremisesNetBiosName: null,
    onPremisesSamAccountName: null,
    onPremisesSecurityIdentifier: null,
    onPremisesSyncEnabled: null,
    preferredDataLocation: null,
    preferredLanguage: null,
    renewedDateTime: g.createdDateTime,
    resourceBehaviorOptions: [],
    resourceProvisioningOptions: [],
    securityIdentifier: `S-1-12-1-${g.id.replaceAll("-", "").slice(0, 8)}`,
    theme: null,
    onPremisesProvisioningErrors: [],
    serviceProvisioningErrors: [],
  };
}

const isExtension = (p: string) => /^extension_[0-9a-f]{32}_\w+$/i.test(p) || /^ext[a-z0-9]{8}_\w+$/i.test(p);

/** Applies $select: only the named properties (id always for entities with one). */
export function project(
  doc: Record<string, unknown>,
  select: string[] | undefined,
  defaults: string[],
  typeName: string,
  strict = true,
): Record<string, unknown> {
  const props = select ?? defaults;
  const out: Record<string, unknown> = {};
  for (const p of props) {
    if (p in doc) out[p] = doc[p];
    else if (strict && !isExtension(p) && select) {
      throw new SimError(
        400,
        "Request_BadRequest",
        `Could not find a property named '${p}' on type 'microsoft.graph.${typeName}'.`,
      );
    }
  }
  if (!("id" in out) && "id" in doc) out.id = doc.id;
  return out;
}

/** Reads a (possibly nested, slash-separated) property for $filter and $orderby. */
export function readPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split("/")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
