/** Shapes of the simulated directory. Property names follow Microsoft Graph v1.0 exactly. */

export interface OnPremisesExtensionAttributes {
  extensionAttribute1: string | null;
  extensionAttribute2: string | null;
  extensionAttribute3: string | null;
  extensionAttribute4: string | null;
  extensionAttribute5: string | null;
  extensionAttribute6: string | null;
  extensionAttribute7: string | null;
  extensionAttribute8: string | null;
  extensionAttribute9: string | null;
  extensionAttribute10: string | null;
  extensionAttribute11: string | null;
  extensionAttribute12: string | null;
  extensionAttribute13: string | null;
  extensionAttribute14: string | null;
  extensionAttribute15: string | null;
}

export interface SimUser {
  id: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  userPrincipalName: string;
  mailNickname: string | null;
  jobTitle: string | null;
  department: string | null;
  companyName: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  faxNumber: string | null;
  streetAddress: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  country: string | null;
  usageLocation: string | null;
  officeLocation: string | null;
  employeeId: string | null;
  employeeType: string | null;
  preferredLanguage: string | null;
  userType: "Member" | "Guest";
  accountEnabled: boolean;
  proxyAddresses: string[];
  otherMails: string[];
  onPremisesExtensionAttributes: OnPremisesExtensionAttributes;
  onPremisesSyncEnabled: boolean | null;
  creationType: string | null;
  createdDateTime: string;
  /** Directory schema extensions, named `extension_{appIdNoDashes}_{name}` as Graph names them. */
  extensions: Record<string, string | number | boolean | null>;
  /** Not a Graph property: whether the user has a profile photo. */
  hasPhoto: boolean;
  /** Not a Graph property: bumped when the photo is replaced, which changes its bytes and media ETag. */
  photoVersion?: number;
}

export interface SimGroup {
  id: string;
  displayName: string;
  description: string | null;
  mail: string | null;
  mailEnabled: boolean;
  mailNickname: string;
  securityEnabled: boolean;
  groupTypes: string[];
  visibility: string | null;
  createdDateTime: string;
  proxyAddresses: string[];
  membershipRule: string | null;
  isAssignableToRole: boolean | null;
}

export interface SimAdministrativeUnit {
  id: string;
  displayName: string;
  description: string | null;
  visibility: string | null;
  memberIds: string[];
}

export interface SimRoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}

/** A user's assignment to one of an app's roles (an appRoleAssignment), emitted in that app's tokens. */
export interface SimAppRoleAssignment {
  principalId: string;
  /** Client id of the app exposing the role. */
  resourceAppId: string;
  /** The role's value, e.g. "DirectorySync.Admin". */
  appRole: string;
}

/** An app registration. Multi-tenant apps are usable in any tenant that holds a grant for them. */
export interface SimApp {
  clientId: string;
  displayName: string;
  homeTenantId: string | null;
  multiTenant: boolean;
  secrets: { value: string; expiresAt: number }[];
  /** What `.default` asks for at admin consent. */
  requiredApplicationPermissions: string[];
  requiredDelegatedPermissions: string[];
  /** App roles the app itself exposes (for tokens whose audience is this app). */
  appRoles: string[];
}

/** A service principal's grants in one tenant: admin consent for application and delegated permissions. */
export interface SimGrant {
  clientId: string;
  application: string[];
  delegated: string[];
  consentedBy: { id: string; userPrincipalName: string } | null;
  consentedAt: string | null;
}

export interface TenantSeed {
  tenantId: string;
  displayName: string;
  /** Verified domains; the first one is the initial `*.onmicrosoft.com` domain. */
  domains: string[];
  users: SimUser[];
  groups: SimGroup[];
  /** Direct memberships as [groupId, memberId]; the member can be a user or a group. */
  memberships: [string, string][];
  administrativeUnits: SimAdministrativeUnit[];
  roleAssignments: SimRoleAssignment[];
  appRoleAssignments?: SimAppRoleAssignment[];
  /** App registrations whose home is this tenant. */
  apps: SimApp[];
  grants: SimGrant[];
}

export type UserInput = Partial<Omit<SimUser, "onPremisesExtensionAttributes">> & {
  onPremisesExtensionAttributes?: Partial<OnPremisesExtensionAttributes>;
};
export type GroupInput = Partial<SimGroup>;

export interface FaultSpec {
  method?: string;
  /** Regular expression tested against the request path with its query string, e.g. "^/v1.0/users". */
  pathPattern: string;
  status: number;
  code: string;
  message?: string;
  retryAfterSeconds?: number;
  /** How many matching requests fail. */
  times: number;
  /** How many matching requests pass before the fault starts (to fail e.g. the 3rd page). Default 0. */
  after?: number;
}

export interface IssueUserTokenOptions {
  tenantId: string;
  userId: string;
  audience?: string;
  roles?: string[];
  scopes?: string[];
  expiresInSeconds?: number;
  notBefore?: number;
  /** Authorized party (client id); defaults to the Teams web client as Teams SSO tokens carry. */
  azp?: string;
}

export interface ConsentRecord extends SimGrant {
  tenantId: string;
}
