export type ConnectionKind = "graph-app" | "graph-delegated" | "scim";
export type ConnectionStatus = "active" | "inactive" | "needs-reauth" | "error";
