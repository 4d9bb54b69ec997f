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
  /**
   * How the bot proves itself to the Bot Connector: its own Entra app and secret (SingleTenant, MultiTenant),
   * or the user-assigned managed identity whose client id is BOT_APP_ID (UserAssignedMSI, no secret). Unset:
   * SingleTenant when BOT_APP_TENANT_ID is set, else MultiTenant.
   */
  BOT_APP_TYPE: z.enum(["SingleTenant", "MultiTenant", "UserAssignedMSI"]).optional(),
  /** Local testing only: accept unsigned bot traffic when BOT_APP_ID is empty (the Agents Playground). */
  BOT_ALLOW_UNSIGNED: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Manifest id of the Teams app, for deep links from bot cards into the tab. */
  TEAMS_APP_ID: optionalString,

  /**
   * Reverse proxies in front of the API whose X-Forwarded-For is trusted for the caller's address (App Service's
   * front end: 1). 0 (the default): the connection's own address, since a caller reaching the API directly
   * could otherwise write any address into the header and dodge every per-address limit.
   */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
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
  /**
   * Graph change notifications wake incremental syncs within seconds (Graph must reach PUBLIC_URL); false
   * keeps every connection on its schedule only, for deployments that accept no inbound traffic.
   */
  LIVE_UPDATES: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),

  /** Client id of the user-assigned managed identity the app runs as (read by DefaultAzureCredential). */
  AZURE_CLIENT_ID: optionalString,
  /** Sends traces and metrics to Application Insights when set; nothing is exported otherwise. */
  APPLICATIONINSIGHTS_CONNECTION_STRING: optionalString,
});

/** Every variable the configuration reads, for the check that infra writes nothing else. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(configSchema.shape);

/**
 * What the production server cannot run without; each is written by infra (infra/main.bicep), and a
 * missing one stops the start with its name. Alternatives are separated by "|". Defaults (Microsoft's
 * endpoints, role names, the database name) are not listed: they are right for the public cloud.
 */
export const REQUIRED_IN_PRODUCTION: readonly string[] = [
  "PUBLIC_URL",
  "COSMOS_ENDPOINT",
  "AUTH_CLIENT_ID",
  "AUTH_CLIENT_SECRET",
  "AUTH_AUDIENCES",
  "ENCRYPTION_KEY_ID|ENCRYPTION_KEY",
  "SESSION_SECRET",
  "BOT_APP_ID",
  "BOT_APP_TENANT_ID",
];

type RawConfig = z.infer<typeof configSchema>;

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
  const problems = botProblems(raw);
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...raw, publicUrl: raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}` };
}

/**
 * The production server's configuration: everything loadConfig checks, and first every variable of
 * REQUIRED_IN_PRODUCTION present, each missing one named. Nothing is filled in or generated.
 */
export function loadProductionConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const missing = REQUIRED_IN_PRODUCTION.filter((names) =>
    names.split("|").every((name) => !env[name]?.trim()),
  );
  if (missing.length > 0)
    throw new ConfigError(
      missing.map(
        (names) =>
          `${names.replaceAll("|", " or ")}: is required in production (see README, Deploy to Azure)`,
      ),
    );
  return loadConfig(env);
}

/** The bot's app type decides which of its settings must be present. */
function botAppType(config: Pick<RawConfig, "BOT_APP_TYPE" | "BOT_APP_TENANT_ID">) {
  return config.BOT_APP_TYPE ?? (config.BOT_APP_TENANT_ID ? "SingleTenant" : "MultiTenant");
}

function botProblems(raw: RawConfig): string[] {
  // Without an app id the bot endpoint cannot check who sent a message; only local testing may run so.
  if (!raw.BOT_APP_ID)
    return raw.BOT_ALLOW_UNSIGNED
      ? []
      : [
          "BOT_APP_ID: is required (the Azure Bot's app id); set BOT_ALLOW_UNSIGNED=true only for local testing",
        ];
  const type = botAppType(raw);
  const problems: string[] = [];
  if (type !== "MultiTenant" && !raw.BOT_APP_TENANT_ID)
    problems.push(`BOT_APP_TENANT_ID: is required when the bot is ${type} (the tenant of its identity)`);
  if (type !== "UserAssignedMSI" && !raw.BOT_APP_PASSWORD)
    problems.push(`BOT_APP_PASSWORD: is required when the bot is ${type} (the secret of its Entra app)`);
  if (type === "UserAssignedMSI" && raw.BOT_APP_PASSWORD)
    problems.push(
      "BOT_APP_PASSWORD: must be empty for UserAssignedMSI (the managed identity BOT_APP_ID names has no secret)",
    );
  return problems;
}
