import {
  DEMO_CUSTOMER_APP,
  DEMO_TENANT_ID,
  demoTenant,
  otherTenant,
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from "../../sim/index.ts";
import { ensureLocalCertificate } from "../../sim/tls.ts";

export async function startTestSimulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const tls = await ensureLocalCertificate(".local/tls");
  return startSimulator({ tls, port: 0, tenants: [demoTenant(), otherTenant()], ...options });
}

export async function tokenRequest(sim: RunningSimulator, tenant: string, form: Record<string, string>) {
  const res = await fetch(`${sim.url}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A client-credentials Graph token for the demo customer app (or another app). */
export async function appToken(
  sim: RunningSimulator,
  tenant = DEMO_TENANT_ID,
  app: { clientId: string; clientSecret: string } = DEMO_CUSTOMER_APP,
): Promise<string> {
  const { status, body } = await tokenRequest(sim, tenant, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: app.clientSecret,
    scope: "https://graph.microsoft.com/.default",
  });
  if (status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
  return body.access_token as string;
}

export async function graph(
  sim: RunningSimulator,
  token: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
) {
  const url = path.startsWith("https://") ? path : `${sim.url}/v1.0${path}`;
  const res = await fetch(url, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const type = res.headers.get("content-type") ?? "";
  const body = type.includes("json")
    ? await res.json()
    : type.startsWith("image/")
      ? Buffer.from(await res.arrayBuffer())
      : await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test helper returns loosely typed JSON
  return { status: res.status, headers: res.headers, body: body as any };
}

/** Follows @odata.nextLink to the end and returns every item plus the number of pages. */
export async function walk(
  sim: RunningSimulator,
  token: string,
  path: string,
  headers: Record<string, string> = {},
) {
  const items: Record<string, unknown>[] = [];
  let next: string | undefined = path;
  let pages = 0;
  let last: Record<string, unknown> = {};
  while (next) {
    const res = await graph(sim, token, next, { headers });
    if (res.status !== 200) throw new Error(`${next}: ${res.status} ${JSON.stringify(res.body)}`);
    pages++;
    items.push(...res.body.value);
    last = res.body;
    next = res.body["@odata.nextLink"];
  }
  return { items, pages, last };
}
