/** Who did something: a signed-in person, or the product itself (SYSTEM_ACTOR). */
export interface Actor {
  oid: string;
  name: string;
  upn?: string;
}

/** The product acting on its own: scheduled runs, health checks, automatic status changes. */
export const SYSTEM_ACTOR: Actor = { oid: "system", name: "Directory Sync" };
