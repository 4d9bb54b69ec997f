import { z } from "zod";

/**
 * Every setting the product reads, validated in one place. Production points these at Azure and Microsoft
 * endpoints; `npm start` points them at the local Cosmos server and the Entra simulator. Product code never
 * asks which one it is talking to.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");

const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );

const httpsUrl = z
  .string()
  .url()
  .refine((v) => v.startsWith("https://"), "must be an https URL")
  .transform((v) => v.replace(/\/+$/, ""));

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  PUBLIC_URL: z
    .string()
    .url()
    .optional()
    .transform((v) => v?.replace(/\/+$/, "")),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  COSMOS_ENDPOINT: httpsUrl,
  COSMOS_KEY: optionalString,
  COSMOS_DATABASE: z.string().min(1).default("directory-sync"),

  GRAPH_BASE_URL: httpsUrl.default("https://graph.microsoft.com"),
  AUTHORITY_HOST: httpsUrl.default("https://login.microsoftonline.com"),

  AUTH_CLIENT_ID: guid,
  AUTH_CLIENT_SECRET: optionalString,
  AUTH_AUDIENCES: csv(""),
  ADMIN_APP_ROLES: csv("DirectorySync.Admin"),
  READER_APP_ROLES: csv("DirectorySync.Reader"),
  // Global Administrator, Privileged Role Administrator, User Administrator, Groups Administrator.
  ADMIN_DIRECTORY_ROLES: csv(
    "62e90394-69f5-4237-9190-012177145e10,e8611ab8-c189-46e8-94e1-60213ab1f814,fe930be7-5e62-47db-91af-98c3a49a38b1,fdd7a751-b60b-444a-984c-02652fe8fa1c",
  ),

  /** Tenants allowed to sign in (empty: any tenant, as a multi-tenant SaaS app). */
  ALLOWED_TENANTS: csv(""),
  /** Authority segment for standalone browser sign-in: "organizations" for multi-tenant, or a tenant id. */
  AUTH_LOGIN_TENANT: z.string().trim().min(1).default("organizations"),
  /** The product API's delegated scope requested at standalone sign-in (default api://{client id}/access_as_user). */
  AUTH_API_SCOPE: optionalString,
  /** Delegated Graph permissions a graph-delegated connection asks the admin to consent to. */
  DELEGATED_GRAPH_SCOPES: csv(
    "User.Read.All,GroupMember.Read.All,ProfilePhoto.Read.All,RoleManagement.Read.Directory,AdministrativeUnit.Read.All",
  ),

  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded")
    .optional(),
  /** Versioned URI of a Key Vault RSA key that wraps data keys (production); ENCRYPTION_KEY otherwise. */
  ENCRYPTION_KEY_ID: z
    .string()
    .url()
    .refine((v) => v.startsWith("https://"), "must be an https Key Vault key URI")
    .optional(),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),

  BOT_APP_ID: optionalString,
  BOT_APP_PASSWORD: optionalString,
  BOT_APP_TENANT_ID: optionalString,
  /** Local testing only: accept unsigned bot traffic when BOT_APP_ID is empty (the Agents Playground). */
  BOT_ALLOW_UNSIGNED: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Manifest id of the Teams app, for deep links from bot cards into the tab. */
  TEAMS_APP_ID: optionalString,

  /** Days the change feed keeps events (GET /api/v1/events); older cursors answer 410 and resnapshot. */
  DIRECTORY_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /**
   * Local development only: let webhook endpoints resolve to loopback or private addresses. Production keeps
   * it off, so an endpoint cannot be pointed at the service's own network (SSRF).
   */
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),

  /** First webhook retry delay; each next one doubles (with jitter) up to an hour. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(100).max(600_000).default(5000),

  SCHEDULER_ENABLED: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  INSTANCE_ID: optionalString,
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends RawConfig {
  publicUrl: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  const raw = parsed.data;
  // Without an app id the bot endpoint cannot check who sent a message; only local testing may run so.
  if (!raw.BOT_APP_ID && !raw.BOT_ALLOW_UNSIGNED)
    throw new ConfigError([
      "BOT_APP_ID: is required (the Azure Bot's app id); set BOT_ALLOW_UNSIGNED=true only for local testing",
    ]);
  return { ...raw, publicUrl: raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}` };
}
