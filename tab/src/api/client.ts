import type {
  AppEvent,
  AttributeDefinition,
  AuditEntry,
  AuditFilters,
  Connection,
  ConnectionPatch,
  ConsentUrl,
  CreatedConnection,
  DeleteResult,
  DirectoryFilters,
  ErrorBody,
  GroupHit,
  IssuedScimToken,
  List,
  ListMember,
  LiveStatus,
  Me,
  NewAttribute,
  NewConnection,
  Page,
  PeopleSearch,
  Profile,
  ProfileWithLists,
  RecordFilters,
  RotateScimToken,
  ScimSetup,
  StartTask,
  Task,
  TaskFilters,
  TaskRecord,
  TaskType,
  TestResult,
  WelcomeTest,
  WelcomeTestResult,
  WhyAnswer,
} from "./types.ts";

/** An error the screens can show as-is: a message, a remedy, and field errors when the API sent them. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly remedy: string;
  readonly fields: Record<string, string>;
  readonly consentUrl?: string;
  readonly taskId?: string;
  /** Anything else the API explained the refusal with (counts, the other connection's id). */
  readonly detail: Record<string, unknown>;

  constructor(status: number, body: ErrorBody["error"]) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    this.remedy = body.remedy;
    this.fields = body.fields ?? {};
    const consentUrl = body.consentUrl ?? body.url;
    if (consentUrl) this.consentUrl = consentUrl;
    if (body.taskId) this.taskId = body.taskId;
    const { code: _c, message: _m, remedy: _r, fields: _f, ...detail } = body;
    this.detail = detail;
  }
}

/** Turns anything thrown into something fit to show: never a stack trace, never raw HTML. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DOMException && err.name === "AbortError")
    return new ApiError(0, { code: "aborted", message: "The request was cancelled", remedy: "Try again." });
  return new ApiError(0, {
    code: "network",
    message: "Could not reach the Directory Sync service",
    remedy: "Check your network connection, then try again.",
  });
}

const isErrorBody = (v: unknown): v is ErrorBody => {
  const e = (v as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  return !!e && typeof e.code === "string" && typeof e.message === "string";
};

function fallbackProblem(status: number): ErrorBody["error"] {
  if (status === 401)
    return { code: "unauthenticated", message: "You are not signed in", remedy: "Sign in and try again." };
  if (status === 403)
    return {
      code: "forbidden",
      message: "You do not have permission to do this",
      remedy: "Ask an administrator of your organisation for access.",
    };
  if (status === 404) return { code: "not-found", message: "Not found", remedy: "Check the link or reload." };
  if (status === 429)
    return {
      code: "throttled",
      message: "Too many requests right now",
      remedy: "Wait a moment and try again.",
    };
  return {
    code: `http-${status}`,
    message: `The service answered with an unexpected error (${status})`,
    remedy: "Try again in a moment; if it keeps happening, contact support with the time of the error.",
  };
}

export interface ClientOptions {
  /** Inside Teams: returns a fresh SSO token for every call. Absent: the browser session cookie is used. */
  getToken?: () => Promise<string>;
  fetch?: typeof fetch;
  base?: string;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

const enc = encodeURIComponent;

export class ApiClient {
  private csrfToken: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly base: string;

  constructor(private readonly options: ClientOptions = {}) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.base = options.base ?? "";
  }

  get inTeams(): boolean {
    return !!this.options.getToken;
  }

  private async token(): Promise<string> {
    try {
      return await (this.options.getToken as () => Promise<string>)();
    } catch {
      throw new ApiError(401, {
        code: "sso-failed",
        message: "Teams could not sign you in to Directory Sync",
        remedy:
          "Reload the tab. If it keeps happening, ask an administrator to grant the app consent in Entra ID.",
      });
    }
  }

  /** URL of a resource for a plain link (standalone, where the session cookie authenticates). */
  url(path: string, query?: Query): string {
    return `${this.base}${path}${queryString(query)}`;
  }

  async request<T>(
    method: string,
    path: string,
    init: { query?: Query; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json", ...init.headers };
    if (init.body !== undefined) headers["Content-Type"] = "application/json";
    if (this.options.getToken) headers.Authorization = `Bearer ${await this.token()}`;
    else if (method !== "GET" && this.csrfToken) headers["X-CSRF-Token"] = this.csrfToken;
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, init.query), {
        method,
        headers,
        credentials: "same-origin",
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (err) {
      throw toApiError(err);
    }
    if (!res.ok) {
      const body = await res.json().catch(() => undefined);
      throw new ApiError(res.status, isErrorBody(body) ? body.error : fallbackProblem(res.status));
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Fetches a file with the caller's credentials (Teams cannot attach a bearer token to a plain link). */
  async blob(path: string, query?: Query): Promise<Blob> {
    const headers: Record<string, string> = {};
    if (this.options.getToken) headers.Authorization = `Bearer ${await this.token()}`;
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, query), { headers, credentials: "same-origin" });
    } catch (err) {
      throw toApiError(err);
    }
    if (!res.ok) {
      const body = await res.json().catch(() => undefined);
      throw new ApiError(res.status, isErrorBody(body) ? body.error : fallbackProblem(res.status));
    }
    return res.blob();
  }

  async me(): Promise<Me> {
    const me = await this.request<Me>("GET", "/api/me");
    this.csrfToken = me.csrfToken;
    return me;
  }

  logout = () => this.request<void>("POST", "/auth/logout");

  // Connections
  connections = () => this.request<Page<Connection>>("GET", "/api/connections");
  connection = (id: string) => this.request<Connection>("GET", `/api/connections/${enc(id)}`);
  /** A `scim` connection's answer carries its first token: the only time it is shown. */
  createConnection = (body: NewConnection) =>
    this.request<CreatedConnection>("POST", "/api/connections", { body });
  updateConnection = (id: string, patch: ConnectionPatch, etag?: string) =>
    this.request<Connection>("PATCH", `/api/connections/${enc(id)}`, {
      body: patch,
      ...(etag ? { headers: { "If-Match": etag } } : {}),
    });
  /** Sends the welcome notice as edited to the signed-in admin ("send a test to me"). */
  welcomeTest = (id: string, body: WelcomeTest) =>
    this.request<WelcomeTestResult>("POST", `/api/connections/${enc(id)}/welcome/test`, { body });
  testConnection = (id: string) => this.request<TestResult>("POST", `/api/connections/${enc(id)}/test`);
  setConnectionEnabled = (id: string, enabled: boolean) =>
    this.request<Connection>("POST", `/api/connections/${enc(id)}/${enabled ? "reactivate" : "deactivate"}`);
  /**
   * Deletes a connection. Without `data` the API deletes nothing and refuses with 409
   * `confirmation-required`, explaining what would happen to the profiles and lists it synced.
   */
  deleteConnection = (id: string, data?: "keep" | "remove") =>
    this.request<DeleteResult>("DELETE", `/api/connections/${enc(id)}`, {
      query: data ? { confirm: "true", data } : {},
    });
  connectionLive = (id: string, signal?: AbortSignal) =>
    this.request<LiveStatus>("GET", `/api/connections/${enc(id)}/live`, signal ? { signal } : {});
  consentUrl = (id: string) => this.request<ConsentUrl>("POST", `/api/connections/${enc(id)}/consent`);
  scimSetup = (id: string) => this.request<ScimSetup>("GET", `/api/connections/${enc(id)}/scim`);
  rotateScimToken = (id: string, body: RotateScimToken) =>
    this.request<IssuedScimToken>("POST", `/api/connections/${enc(id)}/scim/token`, { body });

  // Tasks
  startTask = (connectionId: string, type: TaskType) =>
    this.request<Task>("POST", `/api/connections/${enc(connectionId)}/tasks`, {
      body: { type } satisfies StartTask,
    });
  tasks = (filters: TaskFilters = {}, continuationToken?: string) =>
    this.request<Page<Task>>("GET", "/api/tasks", { query: { ...filters, continuationToken } });
  task = (id: string, signal?: AbortSignal) =>
    this.request<Task>("GET", `/api/tasks/${enc(id)}`, signal ? { signal } : {});
  taskRecords = (id: string, filters: RecordFilters = {}, continuationToken?: string) =>
    this.request<Page<TaskRecord>>("GET", `/api/tasks/${enc(id)}/records`, {
      query: { ...filters, continuationToken },
    });
  recordsCsvPath = (id: string) => `/api/tasks/${enc(id)}/records.csv`;
  cancelTask = (id: string) => this.request<Task>("POST", `/api/tasks/${enc(id)}/cancel`);
  confirmTask = (id: string) => this.request<Task>("POST", `/api/tasks/${enc(id)}/confirm`);

  // Directory
  profiles = (filters: DirectoryFilters = {}, continuationToken?: string) =>
    this.request<Page<Profile>>("GET", "/api/profiles", { query: { ...filters, continuationToken } });
  profile = (id: string) => this.request<ProfileWithLists>("GET", `/api/profiles/${enc(id)}`);
  lists = (filters: DirectoryFilters = {}, continuationToken?: string) =>
    this.request<Page<List>>("GET", "/api/lists", { query: { ...filters, continuationToken } });
  listMembers = (id: string, continuationToken?: string) =>
    this.request<Page<ListMember>>("GET", `/api/lists/${enc(id)}/members`, { query: { continuationToken } });
  why = (who: string) => this.request<WhyAnswer>("GET", "/api/why", { query: { who } });
  searchPeople = (q: string, signal?: AbortSignal) =>
    this.request<PeopleSearch>("GET", "/api/people/search", {
      query: { q },
      ...(signal ? { signal } : {}),
    });

  // Everything else
  attributes = () => this.request<Page<AttributeDefinition>>("GET", "/api/attributes");
  defineAttribute = (body: NewAttribute) =>
    this.request<AttributeDefinition>("POST", "/api/attributes", { body });
  audit = (filters: AuditFilters = {}, continuationToken?: string) =>
    this.request<Page<AuditEntry>>("GET", "/api/audit", { query: { ...filters, continuationToken } });
  events = () => this.request<Page<AppEvent>>("GET", "/api/events");
  /** Chosen groups by id (settings keep ids only), to show their names. */
  lookupGroups = (ids: string[], signal?: AbortSignal) =>
    this.request<Page<GroupHit>>("GET", "/api/groups/lookup", {
      query: { ids: ids.join(",") },
      ...(signal ? { signal } : {}),
    });

  searchGroups = (q: string, signal?: AbortSignal) =>
    this.request<Page<GroupHit>>("GET", "/api/groups/search", {
      query: { q },
      ...(signal ? { signal } : {}),
    });
}
