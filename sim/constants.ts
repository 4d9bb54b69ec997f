/** Well-known ids of the simulated world. Fixed so that tests, the CLI and `npm start` agree. */

export const DEMO_TENANT_ID = "2f1c7a3e-4b9d-4e61-8a52-6d0c3b9e7f14";
export const DEMO_TENANT_DOMAIN = "M365x214355.onmicrosoft.com";
export const OTHER_TENANT_ID = "8d4e2b71-9c3a-4f58-b6e0-1a7d5c2f9e83";
/** Home tenant of the product's own multi-tenant registration (the publisher's tenant). */
export const PUBLISHER_TENANT_ID = "c5a0e9d2-7f41-4b3c-9e86-3d2b1f0a4c57";

const productClientId = "6a3b8f2e-1d4c-4e7a-9b05-c8e2d1f4a763";
export const PRODUCT_APP = {
  clientId: productClientId,
  clientSecret: "local-dev-secret",
  appIdUri: `api://localhost/${productClientId}`,
  displayName: "Entra Directory Sync",
} as const;

export const DEMO_CUSTOMER_APP = {
  clientId: "3e9d1c6b-52f8-4a07-8d4e-b1a7c0e5f926",
  clientSecret: "demo-customer-app-secret",
  displayName: "Contoso Directory Connector",
} as const;

/** MOD Administrator from the demo tenant fixture, holding Global Administrator. */
export const DEMO_ADMIN_USER_ID = "5bde3e51-d13b-4db1-9948-fe4b109d11a7";
/** Megan Bowen from the fixture, holding User Administrator. */
export const DEMO_USER_ADMIN_USER_ID = "48d31887-5fad-4d73-a9f5-3c356e68a038";
/** Adele Vance: an ordinary member with no directory role. */
export const DEMO_ORDINARY_USER_ID = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";

export const ROLE_TEMPLATES = {
  globalAdministrator: "62e90394-69f5-4237-9190-012177145e10",
  userAdministrator: "fe930be7-5e62-47db-91af-98c3a49a38b1",
  groupsAdministrator: "fdd7a751-b60b-444a-984c-02652fe8fa1c",
  globalReader: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
} as const;

/** Roles whose holders may grant tenant-wide admin consent (Graph permissions included). */
export const CONSENT_ADMIN_ROLES = new Set([
  "62e90394-69f5-4237-9190-012177145e10",
  "e8611ab8-c189-46e8-94e1-60213ab1f814",
]);

export const GRAPH_RESOURCE = "https://graph.microsoft.com";
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
/** Microsoft Teams web client, the usual `azp` of Teams SSO tokens. */
export const TEAMS_WEB_CLIENT_ID = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346";

/** Graph delta links for directory objects live seven days. */
export const DELTA_TOKEN_LIFETIME_MS = 7 * 24 * 3600 * 1000;
