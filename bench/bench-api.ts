import { randomBytes } from "node:crypto";
import { type RunningApi, startApi } from "../api/app/start.ts";
import { loadConfig } from "../api/config/config.ts";
import { PRODUCT_APP, type RunningSimulator } from "../sim/index.ts";
import type { StandinsInfo } from "./standins.ts";

/** Where a benchmark's API keeps its documents: each benchmark names its own database. */
export interface BenchCosmos {
  endpoint: string;
  key: string;
  database: string;
}

type ApiCall = (path: string, init?: { method?: string; json?: unknown }) => Promise<Record<string, unknown>>;

export interface BenchApi {
  api: RunningApi;
  /** An admin's bearer token, signed by the simulator as Entra signs one for the tab. */
  token: string;
  /** A JSON request to the API as that admin. */
  call: ApiCall;
}

/**
 * Starts the API in this process against the simulator, with fresh secrets, and signs an admin in.
 * `rejectErrors` makes `call` throw on an error status; without it the error body is answered, for
 * benchmarks that poll endpoints which may answer errors while they wait.
 */
export async function startBenchApi(
  sim: RunningSimulator,
  info: StandinsInfo,
  cosmos: BenchCosmos,
  options: { rejectErrors: boolean },
): Promise<BenchApi> {
  const config = loadConfig({
    COSMOS_ENDPOINT: cosmos.endpoint,
    COSMOS_KEY: cosmos.key,
    COSMOS_DATABASE: cosmos.database,
    GRAPH_BASE_URL: info.simUrl,
    AUTHORITY_HOST: info.simUrl,
    AUTH_CLIENT_ID: PRODUCT_APP.clientId,
    AUTH_CLIENT_SECRET: PRODUCT_APP.clientSecret,
    AUTH_AUDIENCES: PRODUCT_APP.appIdUri,
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    BOT_ALLOW_UNSIGNED: "true",
    PORT: "0",
    // Benchmarks start every run themselves, so a scheduled one would only blur what they time.
    SCHEDULER_ENABLED: "false",
    LOG_LEVEL: "error",
  });
  const api = await startApi(config);
  try {
    const admin = sim.directory.listUsers(info.tenantId)[0]?.id as string;
    const token = await sim.directory.issueUserToken({
      tenantId: info.tenantId,
      userId: admin,
      roles: ["DirectorySync.Admin"],
    });
    const call: ApiCall = async (path, init = {}) => {
      const res = await fetch(`${api.url}${path}`, {
        method: init.method ?? "GET",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(init.json ? { body: JSON.stringify(init.json) } : {}),
      });
      const body = (await res.json()) as Record<string, unknown>;
      if (options.rejectErrors && !res.ok)
        throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return body;
    };
    return { api, token, call };
  } catch (error) {
    await api.close();
    throw error;
  }
}

/** Connects the stand-ins' tenant through its own app registration, as an admin connects a customer's tenant. */
export function connectStandinsTenant(call: ApiCall, info: StandinsInfo): Promise<Record<string, unknown>> {
  return call("/api/connections", {
    method: "POST",
    json: { name: "Benchmark", kind: "graph-app", clientId: info.clientId, clientSecret: info.clientSecret },
  });
}
