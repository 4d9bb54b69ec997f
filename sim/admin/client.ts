import type { AdminOperation } from "./http.ts";

/** Calls the admin API of a running simulator (what the CLI and out-of-process tests use). */
export async function callAdmin(
  baseUrl: string,
  operation: AdminOperation | string,
  args: unknown[] = [],
): Promise<unknown> {
  const res = await fetch(`${baseUrl}/_sim/${operation}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ args }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { code: string; message: string } };
  if (!res.ok) throw new Error(`${operation}: ${body.error?.code}: ${body.error?.message}`);
  return body.result;
}
