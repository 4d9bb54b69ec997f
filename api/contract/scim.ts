import { z } from "zod";

/**
 * Push mode: the Entra provisioning service (or any SCIM 2.0 client) sends people and groups to the
 * product's SCIM endpoint. What the tab reads and sends about a `scim` connection lives here.
 *
 * - Tenant URL: `<origin>/scim/v2/<connectionId>`; Entra appends `/Users`, `/Groups`, ... to it.
 * - Secret token: a bearer token shown once (when the connection is created and at each rotation), stored
 *   only as a SHA-256 hash. A rotation keeps the previous token working for a grace period, so the admin
 *   can paste the new one into Entra without a gap.
 * - Routes (admins only, audited as `scim-token.issued` / `scim-token.rotated`):
 *   - `POST /api/connections` with `{ kind: "scim", name }` answers the connection plus `scim` (an
 *     IssuedScimToken): the only time the first token is shown.
 *   - `GET /api/connections/:id/scim` answers ScimSetup (URL, tokens without secrets, the mappings to keep).
 *   - `POST /api/connections/:id/scim/token` with RotateScimToken answers an IssuedScimToken.
 */

export const SCIM_PATH_PREFIX = "/scim/v2";

/** The URL an admin pastes into Entra as "Tenant URL". */
export const scimTenantUrl = (origin: string, connectionId: string) =>
  `${origin.replace(/\/+$/, "")}${SCIM_PATH_PREFIX}/${connectionId}`;

/** Every token starts so, so people (and secret scanners) recognise one. */
export const SCIM_TOKEN_PREFIX = "edscim_";

const HOUR = 60;

export const rotateScimTokenSchema = z
  .object({
    /** How long the previous token keeps working; 0 ends it at once (a leaked token). */
    graceMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * HOUR, "at most a week")
      .default(24 * HOUR),
  })
  .strict();
export type RotateScimToken = z.input<typeof rotateScimTokenSchema>;

/** The one answer that holds a token itself. */
export const issuedScimTokenSchema = z.object({
  tenantUrl: z.string(),
  token: z.string(),
  tokenId: z.string(),
  /** With a rotation: until when the previous token still works (null: it stopped at once or there was none). */
  previousValidUntil: z.string().nullable(),
});
export type IssuedScimToken = z.infer<typeof issuedScimTokenSchema>;

/** A token as the tab lists it: never the token, never its hash. */
const scimTokenSchema = z.object({
  id: z.string(),
  /** The visible start of the token, so an admin can tell which one Entra holds. */
  hint: z.string(),
  createdAt: z.string(),
  /** Null while it is the current token; a time when a rotation put an end to it. */
  validUntil: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

/**
 * An Entra attribute mapping the admin keeps (or adds) in the enterprise app's "Provisioning > Mappings",
 * with the profile field it fills. `objectId -> externalId` is what lets one person pulled over Graph and
 * pushed over SCIM be one profile.
 */
const attributeMappingSchema = z.object({
  entraAttribute: z.string(),
  scimAttribute: z.string(),
  profileField: z.string(),
  /** Whether the product needs it (required fields, matching) or merely uses it. */
  required: z.boolean(),
});
export type ScimAttributeMapping = z.infer<typeof attributeMappingSchema>;

/** GET /api/connections/:id/scim. */
export const scimSetupSchema = z.object({
  tenantUrl: z.string(),
  tokens: z.array(scimTokenSchema),
  mappings: z.array(attributeMappingSchema),
  /** Custom attributes go under this schema URN, one key per attribute defined in the product. */
  customAttributeSchema: z.string(),
  /** Requests this far apart belong to different provisioning cycles (one task each in History). */
  cycleIdleSeconds: z.number(),
  lastRequestAt: z.string().nullable(),
});
export type ScimSetup = z.infer<typeof scimSetupSchema>;

export const SCIM_CUSTOM_SCHEMA = "urn:ietf:params:scim:schemas:extension:directorysync:2.0:User";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** The mappings the setup walkthrough shows, in Entra's own attribute names. */
export const SCIM_ATTRIBUTE_MAPPINGS: ScimAttributeMapping[] = [
  { entraAttribute: "objectId", scimAttribute: "externalId", profileField: "sourceId", required: true },
  { entraAttribute: "userPrincipalName", scimAttribute: "userName", profileField: "upn", required: true },
  {
    entraAttribute: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
    scimAttribute: "active",
    profileField: "status",
    required: true,
  },
  {
    entraAttribute: "displayName",
    scimAttribute: "displayName",
    profileField: "displayName",
    required: false,
  },
  { entraAttribute: "givenName", scimAttribute: "name.givenName", profileField: "firstName", required: true },
  { entraAttribute: "surname", scimAttribute: "name.familyName", profileField: "lastName", required: true },
  {
    entraAttribute: "mail",
    scimAttribute: 'emails[type eq "work"].value',
    profileField: "email",
    required: true,
  },
  { entraAttribute: "jobTitle", scimAttribute: "title", profileField: "jobTitle", required: false },
  {
    entraAttribute: "mobile",
    scimAttribute: 'phoneNumbers[type eq "mobile"].value',
    profileField: "mobilePhone",
    required: false,
  },
  {
    entraAttribute: "telephoneNumber",
    scimAttribute: 'phoneNumbers[type eq "work"].value',
    profileField: "businessPhones",
    required: false,
  },
  {
    entraAttribute: "streetAddress",
    scimAttribute: 'addresses[type eq "work"].streetAddress',
    profileField: "streetAddress",
    required: false,
  },
  {
    entraAttribute: "city",
    scimAttribute: 'addresses[type eq "work"].locality',
    profileField: "city",
    required: false,
  },
  {
    entraAttribute: "state",
    scimAttribute: 'addresses[type eq "work"].region',
    profileField: "state",
    required: false,
  },
  {
    entraAttribute: "postalCode",
    scimAttribute: 'addresses[type eq "work"].postalCode',
    profileField: "postalCode",
    required: false,
  },
  {
    entraAttribute: "country",
    scimAttribute: 'addresses[type eq "work"].country',
    profileField: "country",
    required: false,
  },
  {
    entraAttribute: "employeeId",
    scimAttribute: `${ENTERPRISE}:employeeNumber`,
    profileField: "employeeId",
    required: false,
  },
  {
    entraAttribute: "department",
    scimAttribute: `${ENTERPRISE}:department`,
    profileField: "department",
    required: false,
  },
  {
    entraAttribute: "companyName",
    scimAttribute: `${ENTERPRISE}:organization`,
    profileField: "companyName",
    required: false,
  },
  {
    entraAttribute: "manager",
    scimAttribute: `${ENTERPRISE}:manager`,
    profileField: "manager",
    required: false,
  },
];
