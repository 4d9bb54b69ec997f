/** What a machine caller may do; a key or an app token carries a subset. No zod: the tab lists them too. */
export const MACHINE_SCOPES = ["directory:read", "events:read", "webhooks:manage"] as const;
export type MachineScope = (typeof MACHINE_SCOPES)[number];
