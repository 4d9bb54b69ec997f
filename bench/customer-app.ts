import { DEMO_CUSTOMER_APP_PERMISSIONS, type TenantSeed } from "../sim/index.ts";

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * Registers an app in the tenant with the application permissions a customer grants the product, already
 * consented, so a benchmark authenticates with it exactly like a production connection.
 */
export function registerCustomerApp(tenant: TenantSeed, app: AppCredentials, displayName: string): void {
  tenant.apps.push({
    clientId: app.clientId,
    displayName,
    homeTenantId: tenant.tenantId,
    multiTenant: false,
    secrets: [{ value: app.clientSecret, expiresAt: Date.UTC(2099, 0, 1) }],
    requiredApplicationPermissions: [...DEMO_CUSTOMER_APP_PERMISSIONS],
    requiredDelegatedPermissions: [],
    appRoles: [],
  });
  tenant.grants.push({
    clientId: app.clientId,
    application: [...DEMO_CUSTOMER_APP_PERMISSIONS],
    delegated: [],
    consentedBy: null,
    consentedAt: "2024-01-01T00:00:00Z",
  });
}
