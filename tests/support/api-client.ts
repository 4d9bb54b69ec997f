/** App roles of the product's Entra app, as the API's default ADMIN_APP_ROLES and READER_APP_ROLES name them. */
export const ADMIN_ROLE = "DirectorySync.Admin";
export const READER_ROLE = "DirectorySync.Reader";

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
  body: any;
  headers: Headers;
  /** The raw response text (CSV downloads, error pages). */
  text: string;
}

export type ApiInit = RequestInit & { token?: string; json?: unknown };

/**
 * Calls the API over real HTTP as the tab does: a bearer token, a JSON body, redirects not followed. The body
 * is parsed as JSON when it is JSON, and kept as text otherwise.
 */
export async function callApi(baseUrl: string, path: string, init: ApiInit = {}): Promise<ApiResponse> {
  const { token, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (json !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(`${baseUrl}${path}`, {
    ...rest,
    headers,
    redirect: "manual",
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, body, headers: res.headers, text };
}
