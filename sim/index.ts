/** The local Microsoft identity platform + Microsoft Graph v1.0 simulator, reached only through URLs. */
export {
  DEMO_ADMIN_USER_ID,
  DEMO_CUSTOMER_APP,
  DEMO_ORDINARY_USER_ID,
  DEMO_TENANT_DOMAIN,
  DEMO_TENANT_ID,
  DEMO_USER_ADMIN_USER_ID,
  OTHER_TENANT_ID,
  PRODUCT_APP,
  ROLE_TEMPLATES,
} from "./constants.ts";
export type { SimDirectory } from "./directory/directory.ts";
export { DEMO_CUSTOMER_APP_PERMISSIONS, demoTenant, PRODUCT_DELEGATED_PERMISSIONS } from "./seed/demo.ts";
export { generatedTenant } from "./seed/generated.ts";
export { type RunningSimulator, type SimulatorOptions, startSimulator } from "./server.ts";
export type { TenantSeed } from "./types.ts";

import { OTHER_TENANT_ID } from "./constants.ts";
import { generatedTenant } from "./seed/generated.ts";

/** The small second tenant used for cross-tenant isolation tests. */
export function otherTenant() {
  return generatedTenant({
    users: 25,
    groups: 4,
    memberships: 40,
    nestedGroups: 1,
    seed: 7,
    tenantId: OTHER_TENANT_ID,
  });
}
