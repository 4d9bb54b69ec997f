import type { RequestHandler, Router } from "express";
import { ConsentingAdminCheck } from "../auth/admin-check.ts";
import { ApiKeys } from "../auth/api-keys.ts";
import { ConsentFlows } from "../auth/consent.ts";
import { ConnectionCredentials } from "../auth/credentials.ts";
import { ScimTokens } from "../auth/scim-tokens.ts";
import { type KeyWrapper, LocalKeyWrapper, loadOrCreateLocalKey, SecretBox } from "../auth/secrets.ts";
import { SessionCodec } from "../auth/session.ts";
import { Sessions } from "../auth/sessions.ts";
import { asCredentialProblem } from "../auth/token-errors.ts";
import { TokenValidator } from "../auth/token-validator.ts";
import type { Config } from "../config/config.ts";
import { ConnectionHealth } from "../connections/health.ts";
import { ConnectionsService } from "../connections/service.ts";
import type { EventBus } from "../events.ts";
import type { GraphApi } from "../graph/client.ts";
import { type DirectoryProblem, isDirectoryProblem } from "../graph/problems.ts";
import { createAuthenticate } from "../http/authenticate.ts";
import { apiKeyRoutes } from "../http/routes/api-key-routes.ts";
import { attributesRoutes } from "../http/routes/attributes-routes.ts";
import { auditRoutes } from "../http/routes/audit-routes.ts";
import { authRoutes } from "../http/routes/auth-routes.ts";
import { connectionRoutes } from "../http/routes/connection-routes.ts";
import { eventsRoutes } from "../http/routes/events-routes.ts";
import { groupsRoutes } from "../http/routes/groups-routes.ts";
import { meRoutes } from "../http/routes/me-routes.ts";
import type { Logger } from "../logger.ts";
import { type AdminCheck, Scheduler, type StartScheduledTask } from "../scheduler/scheduler.ts";
import type { ConnectionDoc } from "../store/documents.ts";
import type { Store } from "../store/store.ts";

export interface AuthModuleOptions {
  config: Config;
  store: Store;
  events: EventBus;
  logger: Logger;
  /** Starts a scheduled sync; provided by the sync service. Without it the scheduler only checks admins. */
  startTask?: StartScheduledTask;
  /** Wraps data keys; defaults to ENCRYPTION_KEY, else a key generated under `localKeyDir` (npm start). */
  keyWrapper?: KeyWrapper;
  localKeyDir?: string;
  now?: () => number;
}

export interface AuthModule {
  authenticate: RequestHandler;
  publicRoutes: Router[];
  apiRoutes: Router[];
  credentials: ConnectionCredentials;
  connections: ConnectionsService;
  health: ConnectionHealth;
  consent: ConsentFlows;
  adminCheck: ConsentingAdminCheck;
  scheduler: Scheduler;
  validator: TokenValidator;
  secrets: SecretBox;
  apiKeys: ApiKeys;
  scimTokens: ScimTokens;
  /** What SyncService needs from this module: credentials, reauthorization on loss, the admin check. */
  syncHooks: {
    graphFor(connection: ConnectionDoc): Promise<GraphApi>;
    onCredentialProblem(connection: ConnectionDoc, problem: DirectoryProblem): Promise<void>;
    beforeRun(connection: ConnectionDoc): Promise<void>;
  };
}

/**
 * The composition root's wiring of who may call the API and how connections reach Entra ID: the parts of
 * api/auth, api/connections and api/scheduler and their routes, which start.ts hands to createHttpApp,
 * the sync engine (`credentials.graphFor`) and the scheduler's start. Only api/app/ knows all of them.
 */
export function createAuthModule(options: AuthModuleOptions): AuthModule {
  const { config, store, events, logger } = options;
  const now = options.now ?? Date.now;
  const masterKey = config.ENCRYPTION_KEY
    ? Buffer.from(config.ENCRYPTION_KEY, "base64")
    : options.localKeyDir
      ? loadOrCreateLocalKey(options.localKeyDir)
      : undefined;
  const wrapper = options.keyWrapper ?? (masterKey ? new LocalKeyWrapper(masterKey) : undefined);
  if (!wrapper)
    throw new Error(
      "Neither ENCRYPTION_KEY_ID (a Key Vault key) nor ENCRYPTION_KEY (32 bytes, base64) is configured; connection secrets cannot be protected",
    );
  const secrets = new SecretBox(wrapper);
  const sessionSecret = config.SESSION_SECRET ?? masterKey;
  if (!sessionSecret)
    throw new Error("SESSION_SECRET is not configured; sessions and consent state cannot be signed");

  const audiences = [config.AUTH_CLIENT_ID, ...config.AUTH_AUDIENCES];
  const apiScope =
    config.AUTH_API_SCOPE ??
    `${config.AUTH_AUDIENCES.find((a) => a.startsWith("api://")) ?? `api://${config.AUTH_CLIENT_ID}`}/access_as_user`;
  const validator = new TokenValidator({
    authorityHost: config.AUTHORITY_HOST,
    audiences,
    allowedTenants: config.ALLOWED_TENANTS,
  });
  const policy = {
    adminAppRoles: config.ADMIN_APP_ROLES,
    readerAppRoles: config.READER_APP_ROLES,
    adminDirectoryRoles: config.ADMIN_DIRECTORY_ROLES,
  };

  const apiKeys = new ApiKeys(store, now);
  const scimTokens = new ScimTokens(store, now);
  const health = new ConnectionHealth(store, events, logger, now);
  const credentials = new ConnectionCredentials(
    {
      authorityHost: config.AUTHORITY_HOST,
      graphBaseUrl: config.GRAPH_BASE_URL,
      productClientId: config.AUTH_CLIENT_ID,
      ...(config.AUTH_CLIENT_SECRET ? { productClientSecret: config.AUTH_CLIENT_SECRET } : {}),
    },
    secrets,
    {
      onLost: (connection, problem) => health.credentialLost(connection, problem),
      onRefreshTokenRotated: async (connection, sealed) => {
        await store.connections.update(connection.tenantId, connection.id, (c) => {
          c.secret = sealed;
          return c;
        });
      },
    },
    now,
  );
  const sessions = new Sessions({
    codec: new SessionCodec(sessionSecret, now),
    store,
    secrets,
    credentials,
    validator,
    apiScope,
    now,
  });
  const connections = new ConnectionsService(store, secrets, credentials, health, now);
  const consent = new ConsentFlows(
    {
      authorityHost: config.AUTHORITY_HOST,
      graphBaseUrl: config.GRAPH_BASE_URL,
      publicUrl: config.publicUrl,
      productClientId: config.AUTH_CLIENT_ID,
      delegatedScopes: config.DELEGATED_GRAPH_SCOPES,
      stateSecret: sessionSecret,
      adminDirectoryRoles: config.ADMIN_DIRECTORY_ROLES,
    },
    store,
    secrets,
    credentials,
    health,
    now,
  );
  const adminCheck = new ConsentingAdminCheck(credentials, health, config.ADMIN_DIRECTORY_ROLES, logger);
  const runAdminCheck: AdminCheck = async (connection) => {
    await adminCheck.check(connection);
  };
  const scheduler = new Scheduler({
    store,
    logger,
    now,
    adminCheck: runAdminCheck,
    // A connection needing reauthorization is tried again in quarantine: a fresh token proves it works.
    probe: async (connection) => {
      credentials.forget(connection);
      try {
        await credentials.tokenFor(connection);
      } catch (err) {
        if (isDirectoryProblem(err)) return false;
        throw err;
      }
      await health.credentialWorks(connection);
      return true;
    },
    startTask: options.startTask ?? (async () => ({ status: "already-running" as const })),
    ...(config.INSTANCE_ID ? { instanceId: config.INSTANCE_ID } : {}),
  });

  const syncHooks: AuthModule["syncHooks"] = {
    graphFor: async (connection) => credentials.graphFor(connection),
    onCredentialProblem: async (connection, problem) => {
      if (problem.kind === "auth-lost" || problem.kind === "consent-missing")
        await health.credentialLost(connection, asCredentialProblem(problem, connection.name));
    },
    // Warns about the consenting admin; a lost credential surfaces as a DirectoryProblem right after.
    beforeRun: async (connection) => {
      await adminCheck.check(connection);
    },
  };

  return {
    syncHooks,
    authenticate: createAuthenticate({ validator, sessions, policy, apiKeys }),
    publicRoutes: [
      authRoutes({
        publicUrl: config.publicUrl,
        loginTenant: config.AUTH_LOGIN_TENANT,
        apiScope,
        sessions,
        validator,
        credentials,
        consent,
        logger,
      }),
    ],
    apiRoutes: [
      meRoutes(),
      connectionRoutes(connections, consent, { tokens: scimTokens, publicUrl: config.publicUrl }),
      groupsRoutes({ credentials, connections, consent, graphBaseUrl: config.GRAPH_BASE_URL }),
      auditRoutes(store),
      attributesRoutes(store),
      eventsRoutes(store),
      apiKeyRoutes(apiKeys, now),
    ],
    credentials,
    connections,
    health,
    consent,
    adminCheck,
    scheduler,
    validator,
    secrets,
    apiKeys,
    scimTokens,
  };
}
