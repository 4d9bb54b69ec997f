import { describe, expect, it } from "vitest";
import { ApiClient, ApiError, queryString, toApiError } from "../../tab/src/api/client.ts";

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records calls and answers from a list, in order. */
function stubFetch(...answers: (Response | Error)[]) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const headers = (c: Call | undefined) => (c?.init.headers ?? {}) as Record<string, string>;

describe("API client", () => {
  it("turns the API's error body into message, remedy and field errors", async () => {
    const { fetch } = stubFetch(
      json(400, {
        error: {
          code: "invalid-request",
          message: "Some settings are not valid",
          remedy: "Fix the fields shown.",
          fields: { "settings.users.emails.2": "must be an email address" },
        },
      }),
    );
    const err = await new ApiClient({ fetch }).connection("c1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      code: "invalid-request",
      message: "Some settings are not valid",
      remedy: "Fix the fields shown.",
      fields: { "settings.users.emails.2": "must be an email address" },
    });
  });

  it("never shows a server's HTML or stack trace", async () => {
    const { fetch } = stubFetch(
      new Response("<pre>TypeError: x is undefined\n    at foo.js:1</pre>", { status: 502 }),
    );
    const err = (await new ApiClient({ fetch }).tasks().catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("http-502");
    expect(err.message).not.toMatch(/TypeError|foo\.js/);
    expect(err.remedy).toMatch(/Try again/);
  });

  it("explains a network failure", async () => {
    const { fetch } = stubFetch(new TypeError("Failed to fetch"));
    const err = (await new ApiClient({ fetch }).events().catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ status: 0, code: "network" });
    expect(toApiError(new Error("boom")).message).toBe("Could not reach the Directory Sync service");
  });

  it("recognises 401 without a body as signed out", async () => {
    const { fetch } = stubFetch(new Response("", { status: 401 }));
    const err = (await new ApiClient({ fetch }).me().catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ status: 401, code: "unauthenticated" });
  });

  it("carries the consent URL and the running task's id", async () => {
    const { fetch } = stubFetch(
      json(403, {
        error: { code: "consent-required", message: "m", remedy: "r", consentUrl: "https://login/consent" },
      }),
      json(409, { error: { code: "already-running", message: "m", remedy: "r", taskId: "t7" } }),
    );
    const client = new ApiClient({ fetch });
    expect(await client.testConnection("c1").catch((e: unknown) => e)).toMatchObject({
      consentUrl: "https://login/consent",
    });
    expect(await client.startTask("c1", "full").catch((e: unknown) => e)).toMatchObject({
      code: "already-running",
      taskId: "t7",
    });
  });

  it("standalone: sends the session's CSRF token on changes only", async () => {
    const { fetch, calls } = stubFetch(
      json(200, {
        tenantId: "t",
        oid: "o",
        name: "n",
        upn: "u",
        isAdmin: true,
        canRead: true,
        csrfToken: "tok",
      }),
      json(200, { items: [] }),
      json(202, { id: "t1" }),
    );
    const client = new ApiClient({ fetch });
    await client.me();
    await client.connections();
    await client.startTask("c 1", "preview");
    expect(headers(calls[1])["X-CSRF-Token"]).toBeUndefined();
    expect(calls[2]?.url).toBe("/api/connections/c%201/tasks");
    expect(calls[2]?.init.method).toBe("POST");
    expect(headers(calls[2])["X-CSRF-Token"]).toBe("tok");
    expect(calls[2]?.init.body).toBe(JSON.stringify({ type: "preview" }));
    expect(calls.every((c) => c.init.credentials === "same-origin")).toBe(true);
  });

  it("in Teams: sends a fresh SSO token on every call", async () => {
    let n = 0;
    const { fetch, calls } = stubFetch(json(200, { items: [] }), json(200, { items: [] }));
    const client = new ApiClient({ fetch, getToken: async () => `sso-${++n}` });
    await client.connections();
    await client.audit({}, "next page");
    expect(headers(calls[0]).Authorization).toBe("Bearer sso-1");
    expect(headers(calls[1]).Authorization).toBe("Bearer sso-2");
    expect(calls[1]?.url).toBe("/api/audit?continuationToken=next+page");
  });

  it("explains a Teams sign-in failure instead of calling the API", async () => {
    const { fetch, calls } = stubFetch();
    const client = new ApiClient({ fetch, getToken: () => Promise.reject(new Error("resourceDisabled")) });
    const err = (await client.me().catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe("sso-failed");
    expect(calls).toHaveLength(0);
  });

  it("sends If-Match when saving with an ETag, and filters as query parameters", async () => {
    const { fetch, calls } = stubFetch(json(200, { id: "c1" }), json(200, { items: [] }));
    const client = new ApiClient({ fetch });
    await client.updateConnection("c1", { name: "x" }, '"e1"');
    await client.taskRecords("t1", { action: "deleted", q: "" }, undefined);
    expect(headers(calls[0])["If-Match"]).toBe('"e1"');
    expect(calls[1]?.url).toBe("/api/tasks/t1/records?action=deleted");
  });

  it("handles 204 No Content", async () => {
    const { fetch } = stubFetch(new Response(null, { status: 204 }));
    await expect(new ApiClient({ fetch }).logout()).resolves.toBeUndefined();
  });

  it("builds query strings without empty values", () => {
    expect(queryString({ a: "1", b: undefined, c: "", d: null, e: 0 })).toBe("?a=1&e=0");
    expect(queryString({})).toBe("");
  });
});
