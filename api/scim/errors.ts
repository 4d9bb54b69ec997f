/** RFC 7644 §3.12: every refusal carries this body, which Entra's provisioning logs show to the admin. */
const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export type ScimErrorType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimErrorType,
    /** Seconds a client should wait (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(detail);
  }

  body() {
    return {
      schemas: [SCIM_ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

export const notFound = (kind: "User" | "Group", id: string) =>
  new ScimError(404, `${kind} ${id} was not found`);

export const invalidValue = (attribute: string, why: string) =>
  new ScimError(400, `${attribute}: ${why}`, "invalidValue");
