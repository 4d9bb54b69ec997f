import { SCIM_CUSTOM_SCHEMA } from "../contract/scim.ts";

/** RFC 7643 §5-7: what the endpoint supports, for clients that read it before provisioning. */

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** Most resources one list answer holds; Entra asks for far fewer. */
export const MAX_RESULTS = 200;

export function serviceProviderConfig(base: string) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: `${base}/ServiceProviderConfig`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "The secret token shown when the connection was created or its token rotated.",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  const resources = [
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "User Account",
      schema: USER_SCHEMA,
      schemaExtensions: [
        { schema: ENTERPRISE_SCHEMA, required: false },
        { schema: SCIM_CUSTOM_SCHEMA, required: false },
      ],
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "Group",
      schema: GROUP_SCHEMA,
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/Group` },
    },
  ];
  return listOf(resources);
}

const attr = (name: string, type = "string", extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...extra,
});

const multi = (name: string, subs: string[]) =>
  attr(name, "complex", { multiValued: true, subAttributes: subs.map((s) => attr(s)) });

export function schemas(base: string, definedAttributes: string[]) {
  const user = {
    id: USER_SCHEMA,
    name: "User",
    description: "User Account",
    attributes: [
      attr("userName", "string", { required: true, uniqueness: "server" }),
      attr("externalId"),
      attr("displayName"),
      attr("name", "complex", {
        subAttributes: ["formatted", "givenName", "familyName", "middleName"].map((s) => attr(s)),
      }),
      attr("title"),
      attr("userType"),
      attr("preferredLanguage"),
      attr("active", "boolean"),
      multi("emails", ["value", "type", "primary"]),
      multi("phoneNumbers", ["value", "type", "primary"]),
      multi("addresses", [
        "type",
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
        "formatted",
      ]),
    ],
  };
  const group = {
    id: GROUP_SCHEMA,
    name: "Group",
    description: "Group",
    attributes: [
      attr("displayName", "string", { required: true }),
      attr("externalId"),
      multi("members", ["value", "display"]),
    ],
  };
  const enterprise = {
    id: ENTERPRISE_SCHEMA,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: [
      attr("employeeNumber"),
      attr("department"),
      attr("organization"),
      attr("manager", "complex", { subAttributes: [attr("value")] }),
    ],
  };
  const custom = {
    id: SCIM_CUSTOM_SCHEMA,
    name: "DirectorySyncUser",
    description: "The custom profile attributes defined in Directory Sync",
    attributes: definedAttributes.map((a) => attr(a)),
  };
  return listOf(
    [user, group, enterprise, custom].map((s) => ({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
      ...s,
      meta: { resourceType: "Schema", location: `${base}/Schemas/${s.id}` },
    })),
  );
}

export const listOf = <T>(resources: T[], total = resources.length, startIndex = 1) => ({
  schemas: [LIST_SCHEMA],
  totalResults: total,
  itemsPerPage: resources.length,
  startIndex,
  Resources: resources,
});
