import {
  AuthenticationHandler,
  Client,
  GraphError,
  HTTPMessageHandler,
  ResponseType,
} from "@microsoft/microsoft-graph-client";
import pLimit from "p-limit";
import { isTransientStatus } from "../retry/classify.ts";
import { graphRetrySettings, RetryPolicy, type RetrySettings } from "../retry/policy.ts";
import { parseRetryAfter, retryAfterOf } from "../retry/retry-after.ts";

import { classifyGraphFailure, DirectoryProblem, isDirectoryProblem } from "./problems.ts";
import { emptyGraphStats, type GraphStats } from "./stats.ts";
import { countThrottledInBatch, TelemetryHandler } from "./telemetry-handler.ts";
import { Pacer, ThrottleHandler } from "./throttle-handler.ts";

export interface GraphClientOptions {
  /** https://graph.microsoft.com, a national cloud, or any host serving Graph v1.0. */
  baseUrl: string;
  /** Returns a bearer token for Graph; throws a DirectoryProblem when credentials are lost. */
  getToken: () => Promise<string>;
  /**
   * Graph refused the token getToken gave (401): forget it, so the next getToken asks Entra ID for a new one.
   * Graph then gets one more try before a 401 counts as lost credentials (tokens are revoked early, for
   * example after a password reset or under continuous access evaluation, while the secret still works).
   */
  dropToken?: () => void;
  /** Tries, waits and caps of the retry policy; tests and benchmarks replace `sleep` to move a simulated clock. */
  retry?: Partial<RetrySettings>;
}

export interface GraphPage<T> {
  items: T[];
  nextLink?: string;
  deltaLink?: string;
  count?: number;
}

export interface BatchRequest {
  id: string;
  url: string;
  headers?: Record<string, string>;
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** One round of a JSON batch: the parts Graph answered with a transient failure, to be sent again. */
interface BatchRound {
  transient: BatchResponse[];
}

const BATCH_LIMIT = 20;
/** Batches sent at once: Graph spreads them over its backends; the shared pacer still slows all near the budget. */
const BATCHES_IN_FLIGHT = 4;

/**
 * The product's only way to Microsoft Graph: the official client with our retry/throttle middleware, the
 * base URL from configuration (so national clouds and the local simulator take the same path), and every
 * failure classified into a DirectoryProblem.
 */
export class GraphApi {
  readonly stats: GraphStats = emptyGraphStats();
  private readonly client: Client;
  private readonly batchParts: RetryPolicy<BatchRound>;
  private readonly root: string;

  constructor(private readonly options: GraphClientOptions) {
    const settings = { ...graphRetrySettings(), ...options.retry };
    this.batchParts = new RetryPolicy<BatchRound>(settings, {
      result: (round) => round.transient.length > 0,
      // The round waits for its slowest part: the longest Retry-After any of them carries.
      retryAfter: (failure) => {
        const hints = ("value" in failure ? (failure.value as BatchRound).transient : [])
          .map((part) => retryAfterOf(part))
          .filter((ms) => ms !== undefined);
        return hints.length > 0 ? Math.max(...hints) : undefined;
      },
      onRetry: ({ failure }) => {
        const parts = "value" in failure ? (failure.value as BatchRound).transient : [];
        const throttled = parts.filter((part) => part.status === 429).length;
        this.stats.throttled += throttled;
        this.stats.retries += parts.length;
        countThrottledInBatch(throttled);
      },
    });
    this.root = `${options.baseUrl.replace(/\/+$/, "")}/v1.0`;
    const authProvider = { getAccessToken: () => options.getToken() };
    const throttle = new ThrottleHandler(settings, this.stats, new Pacer(settings.sleep));
    this.client = Client.initWithMiddleware({
      baseUrl: `${options.baseUrl.replace(/\/+$/, "")}/`,
      defaultVersion: "v1.0",
      // The client only attaches the bearer token to hosts it knows; ours comes from configuration.
      customHosts: new Set([new URL(options.baseUrl).hostname]),
      middleware: [
        new AuthenticationHandler(authProvider),
        throttle,
        new TelemetryHandler(),
        new HTTPMessageHandler(),
      ],
    });
  }

  /** Absolute URL for a v1.0 path; nextLinks and deltaLinks are already absolute. */
  url(path: string): string {
    return /^https:\/\//.test(path) ? path : `${this.root}${path.startsWith("/") ? "" : "/"}${path}`;
  }

  async get<T>(path: string, headers: Record<string, string> = {}): Promise<T> {
    return this.call(path, () => this.client.api(this.url(path)).headers(headers).get());
  }

  /** Writes (subscriptions): the same retry, throttling and error classification as reads. */
  async post<T>(path: string, body: unknown): Promise<T> {
    return this.call(path, () => this.client.api(this.url(path)).post(body));
  }

  async patch<T>(path: string, body: unknown): Promise<T> {
    return this.call(path, () => this.client.api(this.url(path)).patch(body));
  }

  async delete(path: string): Promise<void> {
    await this.call(path, () => this.client.api(this.url(path)).delete());
  }

  /** Follows @odata.nextLink page by page; the last page carries the deltaLink of a delta query. */
  async *pages<T>(path: string, headers: Record<string, string> = {}): AsyncGenerator<GraphPage<T>> {
    let next: string | undefined = path;
    while (next) {
      const body: Record<string, unknown> = await this.get(next, headers);
      next = body["@odata.nextLink"] as string | undefined;
      yield {
        items: (body.value as T[] | undefined) ?? [],
        ...(next ? { nextLink: next } : {}),
        ...(body["@odata.deltaLink"] ? { deltaLink: body["@odata.deltaLink"] as string } : {}),
        ...(typeof body["@odata.count"] === "number" ? { count: body["@odata.count"] as number } : {}),
      };
    }
  }

  async getBinary(path: string): Promise<{ contentType: string; data: Buffer } | undefined> {
    try {
      const response: Response = await this.call(path, () =>
        this.client.api(this.url(path)).responseType(ResponseType.RAW).get(),
      );
      if (response.status === 404) return undefined;
      if (!response.ok) {
        const text = await response.text();
        throw classifyGraphFailure(response.status, safeJson(text), path);
      }
      return {
        contentType: response.headers.get("content-type") ?? "application/octet-stream",
        data: Buffer.from(await response.arrayBuffer()),
      };
    } catch (err) {
      if (isDirectoryProblem(err, "not-found")) return undefined;
      throw err;
    }
  }

  /**
   * GETs up to 20 requests per JSON batch. Sub-requests Graph throttled inside the batch are sent again
   * after their own Retry-After, so callers only see final answers.
   */
  async batchGet(requests: BatchRequest[]): Promise<BatchResponse[]> {
    const results = new Map<string, BatchResponse>();
    const chunks: BatchRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_LIMIT) chunks.push(requests.slice(i, i + BATCH_LIMIT));
    const limit = pLimit(BATCHES_IN_FLIGHT);
    await Promise.all(chunks.map((chunk) => limit(() => this.sendBatch(chunk, results))));
    return requests.map(
      (r) =>
        results.get(r.id) ?? { id: r.id, status: 0, headers: {}, body: { error: { code: "noResponse" } } },
    );
  }

  /**
   * Sends the chunk, then only the parts Graph answered 429/503/504, through the retry policy; the parts
   * still failing when it gives up are final answers like any other.
   */
  private async sendBatch(chunk: BatchRequest[], results: Map<string, BatchResponse>): Promise<void> {
    let pending = chunk;
    const last = await this.batchParts.execute(async () => {
      const body: { responses: BatchResponse[] } = await this.call("/$batch", () =>
        this.client.api(this.url("/$batch")).post({
          requests: pending.map((r) => ({ id: r.id, method: "GET", url: r.url, headers: r.headers })),
        }),
      );
      this.stats.batchedRequests += pending.length;
      const transient: BatchResponse[] = [];
      for (const response of body.responses) {
        if (!pending.some((r) => r.id === response.id)) continue;
        if (isTransientStatus("graph", response.status)) transient.push(response);
        else results.set(response.id, { ...response, headers: response.headers ?? {} });
      }
      pending = pending.filter((r) => transient.some((t) => t.id === r.id));
      return { transient };
    });
    for (const response of last.transient)
      results.set(response.id, { ...response, headers: response.headers ?? {} });
  }

  /** Classifies a failed batch sub-response the same way as a direct call. */
  failureOf(response: BatchResponse, path: string): DirectoryProblem {
    return classifyGraphFailure(
      response.status,
      response.body as { error?: { code?: string; message?: string } },
      path,
      retryAfterOf(response),
    );
  }

  private async call<T>(path: string, send: () => Promise<T>): Promise<T> {
    // Acquire the token first, so a lost credential surfaces as our own problem, not a wrapped error.
    await this.options.getToken();
    try {
      return await this.classified(path, send);
    } catch (err) {
      if (!this.options.dropToken || !isRejectedToken(err)) throw err;
      this.options.dropToken();
      await this.options.getToken();
      return await this.classified(path, send);
    }
  }

  private async classified<T>(path: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (isDirectoryProblem(err)) throw err;
      if (err instanceof GraphError) {
        throw classifyGraphFailure(
          err.statusCode,
          { error: { code: err.code ?? undefined, message: err.message } },
          path.replace(this.root, ""),
          parseRetryAfter(err.headers?.get("retry-after")),
        );
      }
      throw new DirectoryProblem(
        "transient",
        `Microsoft Graph could not be reached: ${(err as Error).message}`,
        "Nothing was changed; the sync will retry later.",
      );
    }
  }
}

/** Graph's 401: the token was refused (expired early, revoked), which a fresh token may cure. */
const isRejectedToken = (err: unknown) =>
  err instanceof DirectoryProblem && err.kind === "auth-lost" && err.status === 401;

function safeJson(text: string): { error?: { code?: string; message?: string } } | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
